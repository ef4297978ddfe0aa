"""Kept copies of shipped knowledge: read back when sound, rebuilt when not, never required,
and deciding exactly as the files they were built from."""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import pytest

from crossdeal import _kept


def _copies(home: Path, name: str) -> list[Path]:
    return sorted((home / "cache").glob(f"{name}-*.pickle"))


class _Loader:
    """Counts its calls, so a test sees whether the copy or the files answered."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "knowledge.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    return path


def test_a_copy_is_kept_private_and_read_back(crossdeal_home: Path, data_file: Path) -> None:
    load = _Loader({"themes": ["relationship-first"]})
    assert _kept._load_or_build("test.loader", [data_file], load) == load.value
    [copy] = _copies(crossdeal_home, "test.loader")
    assert copy.stat().st_mode & 0o077 == 0
    assert _kept._load_or_build("test.loader", [data_file], load) == load.value
    assert load.calls == 1  # the second answer came from the copy


def test_an_edited_data_file_builds_anew(crossdeal_home: Path, data_file: Path) -> None:
    load = _Loader([1, 2, 3])
    _kept._load_or_build("test.loader", [data_file], load)
    data_file.write_text("a: 2  # edited\n", encoding="utf-8")
    _kept._load_or_build("test.loader", [data_file], load)
    assert load.calls == 2
    assert len(_copies(crossdeal_home, "test.loader")) == 1  # the older copy is removed


@pytest.mark.parametrize("damage", ["garbage", "truncated", "writable by others"])
def test_a_damaged_or_foreign_copy_is_rebuilt(
    crossdeal_home: Path, data_file: Path, damage: str
) -> None:
    load = _Loader(("a", 1))
    _kept._load_or_build("test.loader", [data_file], load)
    [copy] = _copies(crossdeal_home, "test.loader")
    if damage == "garbage":
        copy.write_bytes(b"not a pickle")
    elif damage == "truncated":
        copy.write_bytes(copy.read_bytes()[:5])
    else:
        os.chmod(copy, 0o666)
    assert _kept._load_or_build("test.loader", [data_file], load) == ("a", 1)
    assert load.calls == 2
    [copy] = _copies(crossdeal_home, "test.loader")
    assert copy.stat().st_mode & 0o077 == 0


def test_a_value_pickle_cannot_write_is_still_given(crossdeal_home: Path, data_file: Path) -> None:
    value = {"closure": lambda: None}  # pickle refuses lambdas
    assert _kept._load_or_build("test.loader", [data_file], _Loader(value)) is value
    assert _copies(crossdeal_home, "test.loader") == []


def test_a_read_only_or_missing_home_still_answers(
    tmp_path: Path, data_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the home folder should be", encoding="utf-8")
    monkeypatch.setenv("CROSSDEAL_HOME", str(blocked))
    assert _kept._load_or_build("test.loader", [data_file], _Loader(7)) == 7


def test_a_missing_data_file_is_left_to_the_loader(tmp_path: Path) -> None:
    assert _kept._load_or_build("test.loader", [tmp_path / "gone.yaml"], _Loader("x")) == "x"


def test_the_kept_playbook_decides_as_its_files_do() -> None:
    from crossdeal.playbook import Playbook, rules
    from crossdeal.playbook.engine import Playbook as Engine

    fresh = rules._add_rules  # the files read again, without the kept copy
    by_id: dict[str, rules.Rule] = {}
    fresh(by_id, rules.shipped_rule_files(), shipped=True)
    kept = pickle.loads(pickle.dumps(tuple(by_id.values())))  # as a later run reads it
    shipped, again = Engine(list(by_id.values())), Engine(list(kept))
    assert [r.id for r in again.rules] == [r.id for r in shipped.rules]
    from crossdeal._model_cache import cached_briefing_model

    model = cached_briefing_model()
    for seller, buyer in [("US", "IN"), ("RU", "DE"), ("JP", "US"), ("SA", "KR"), ("BR", "SE")]:
        s, b = model.resolve(seller), model.resolve(buyer)
        assert again.brief(s, b, model) == shipped.brief(s, b, model)
    assert isinstance(Playbook.default(), Playbook)


DRAFTS = [
    "Hi Kenji,\n\nJust following up: can we get a yes by Friday? We need to close this "
    "quarter.\n\nThanks,\nBob",
    "Dear Mr. Müller,\n\nPlease find attached our standard package. Obviously this is the "
    "best offer you will get; let's hop on a call ASAP on 25 December.\n\nCheers",
    "Hello team! No worries at all, whenever suits you. I would be grateful if you could "
    "perhaps share your thoughts by 3/15. Regards, Ana",
]


@pytest.mark.parametrize("text", DRAFTS)
def test_kept_features_find_what_the_files_find(text: str) -> None:
    from crossdeal.messages.features import data_dir, load_features

    built = load_features(data_dir() / "features.yaml")
    loaded = pickle.loads(pickle.dumps(built))
    assert loaded.extract(text).hits == built.extract(text).hits
    assert loaded.extract(text.upper()).hits == built.extract(text.upper()).hits


def test_a_prefilter_loaded_without_re2_lets_every_pattern_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crossdeal.messages import _prefilter

    if _prefilter._re2 is None:
        pytest.skip("google-re2 is not installed")
    kept = pickle.dumps(_prefilter.Prefilter([(0, r"\bmaybe\b"), (1, r"asap")]))
    assert pickle.loads(kept).candidates("call me asap") == frozenset({1})
    monkeypatch.setattr(_prefilter, "_re2", None)
    assert pickle.loads(kept).candidates("call me asap") is None  # none ruled out


def test_a_scanner_compiles_its_pattern_when_first_used() -> None:
    from crossdeal.messages.features import default_features

    features = default_features()
    _, scanner = features._scanners[0]
    loaded = pickle.loads(pickle.dumps(scanner))
    assert loaded.compiled is None
    assert loaded.pattern.pattern == scanner.source
    assert isinstance(loaded.compiled, re.Pattern)


def test_a_prefilter_of_untranslatable_patterns_still_lets_them_through() -> None:
    from crossdeal.messages import _prefilter

    if _prefilter._re2 is None:
        pytest.skip("google-re2 is not installed")
    built = _prefilter.Prefilter([(0, r"(\w)\1")])  # a back-reference: RE2 has none
    assert built.candidates("aa") == frozenset({0})
    assert pickle.loads(pickle.dumps(built)).candidates("aa") == frozenset({0})
