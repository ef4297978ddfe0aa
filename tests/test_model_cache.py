"""The compiled copy of the shipped model: used when sound, rebuilt when not, never required."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import crossdeal
from crossdeal import _model_cache


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_model_cache, "_loaded", [])


def _cache_files(home: Path) -> list[Path]:
    return sorted((home / "cache").glob("briefing-model-*.pickle"))


def test_the_model_is_cached_and_the_cache_gives_the_same_briefing(
    crossdeal_home: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _model_cache.cached_briefing_model()
    [path] = _cache_files(crossdeal_home)
    assert path.stat().st_mode & 0o077 == 0  # the user's own
    monkeypatch.setattr(_model_cache, "_loaded", [])
    loaded = _model_cache.cached_briefing_model()
    assert loaded is not built  # read back from the file
    assert loaded.keys == built.keys and len(loaded.cultures) == len(built.cultures)
    assert crossdeal.brief("US", "IN", model=loaded) == crossdeal.brief("US", "IN", model=built)


def test_a_damaged_or_foreign_cache_is_rebuilt(
    crossdeal_home: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _model_cache.cached_briefing_model()
    [path] = _cache_files(crossdeal_home)
    path.write_bytes(b"not a pickle")
    monkeypatch.setattr(_model_cache, "_loaded", [])
    assert _model_cache.cached_briefing_model().practices is not None
    [path] = _cache_files(crossdeal_home)
    os.chmod(path, 0o666)  # writable by others: not trusted, rebuilt
    monkeypatch.setattr(_model_cache, "_loaded", [])
    assert _model_cache.cached_briefing_model().practices is not None
    [path] = _cache_files(crossdeal_home)
    assert path.stat().st_mode & 0o077 == 0


def test_a_read_only_home_still_briefs(
    crossdeal_home: Path, fresh: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the home folder should be", encoding="utf-8")
    monkeypatch.setenv("CROSSDEAL_HOME", str(blocked))
    assert crossdeal.brief("US", "IN").risks
