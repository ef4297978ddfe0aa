"""A compiled copy of the shipped culture model and practice data, keyed by their content.

Reading and validating the YAML and CSV data files takes longer than a briefing; a
command-line call does it once per process. The joined model is therefore kept, once
built, as a pickle in the crossdeal home's cache folder, named after a hash of the size
and modification time of the data files and of the code that defines what it holds: a
changed file or a new version builds it anew. Any problem reading or writing the cache
(a damaged file, a read-only home) falls back to building from the files; the cache is
never needed for a correct answer. The folder is the user's own (0700) and a cache file
is read only if it belongs to the user and nobody else can write to it, so it carries no
more trust than the user's own home.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from crossdeal.culture.model import CultureModel

__all__ = ["cached_briefing_model"]

_loaded: list[CultureModel] = []


def _data_files() -> list[Path]:
    from crossdeal.culture.model import DEFAULT_MODEL_FILE, data_dir

    folder = data_dir()
    return [
        folder / DEFAULT_MODEL_FILE,
        folder / "hofstede_cultures.yaml",
        folder / "hofstede_6d_2015-08-16.csv",
        folder / "practice_scales.yaml",
        folder / "practices.yaml",
    ]


def _key() -> str:
    """A hash of the data files and of the code whose classes the pickle holds."""
    from crossdeal.culture import layers, model, practice

    digest = hashlib.sha256(str(pickle.HIGHEST_PROTOCOL).encode())
    code = [Path(m.__file__ or "") for m in (model, layers, practice)]
    for path in [*code, *_data_files()]:
        # size and modification time: a reinstall or an edit changes them, and reading
        # them costs a fraction of reading the files
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:20]


def cached_briefing_model() -> CultureModel:
    """The shipped model joined with the shipped practice data (built once, then cached)."""
    if _loaded:
        return _loaded[0]
    from crossdeal.culture.layers import briefing_model
    from crossdeal.people.store import home

    folder = home() / "cache"
    path = folder / f"briefing-model-{_key()}.pickle"
    loaded = read(path)
    model = loaded if isinstance(loaded, CultureModel) and loaded.practices is not None else None
    if model is None:
        model = briefing_model()
        store(model, folder, path, "briefing-model-")
    _loaded.append(model)
    return model


def read(path: Path) -> object | None:
    """The pickle at ``path`` if it is the user's own and loads; else None (a damaged or
    foreign cache file is rebuilt, never trusted)."""
    with contextlib.suppress(Exception):
        if private(path):
            with path.open("rb") as fh:
                found: object = pickle.load(fh)  # noqa: S301 - the user's own file, checked
                return found
    return None


def private(path: Path) -> bool:
    """Whether the file is the user's own and writable by nobody else."""
    info = path.stat()
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    return info.st_uid == owner and not info.st_mode & 0o022


def store(value: object, folder: Path, path: Path, prefix: str) -> None:
    """Write ``value`` to ``path`` atomically, removing older cache files of ``prefix``."""
    # TypeError and AttributeError: a value holding something pickle cannot write
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in folder.glob(f"{prefix}*.pickle"):  # only crossdeal's own cache files
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
        handle, temp = tempfile.mkstemp(prefix="." + prefix, dir=folder)
        try:
            with os.fdopen(handle, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temp)
