"""Shipped knowledge read and validated once, then kept between runs.

Reading a YAML file and validating it costs a command-line call more than the job it
serves: the playbook's themes and rules, the coach's features. A loader of shipped data
marked ``@kept("crossdeal.messages:data/features.yaml")`` is called once per process
(as with ``functools.cache``) and its result is also kept as a pickle in the crossdeal
home's cache folder, named after the loader and a hash of the size and modification
time of its data files and of crossdeal's own modules: an edited file, a new version or
any change of code builds it anew. Any problem reading or writing the copy (damaged, not
the user's own, a read-only home) falls back to the loader; the copy is never needed for
a correct answer. It is read only if it belongs to the user and nobody else can write
to it, so it carries no more trust than the user's own home.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TypeVar

__all__ = ["kept"]

T = TypeVar("T")

_PACKAGE = Path(__file__).parent


@functools.cache
def _code_mark() -> str:
    """Size and modification time of every module of crossdeal (a reinstall or an edit
    changes them; reading them costs a fraction of a millisecond)."""
    digest = hashlib.sha256(str(pickle.HIGHEST_PROTOCOL).encode())
    folders = [_PACKAGE]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    folders.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    stat = entry.stat()
                    digest.update(f"{entry.path}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def kept(*files: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Mark a loader to run once and be kept; ``files`` are every data file it reads (its
    result depends on), each ``package:path`` with the path a glob pattern inside the
    package (``crossdeal.playbook:data/rules/*.yaml``)."""

    def decorate(load: Callable[[], T]) -> Callable[[], T]:
        memo: list[T] = []
        name = f"{load.__module__}.{load.__qualname__}".replace("crossdeal.", "")

        @functools.wraps(load)
        def cached() -> T:
            if not memo:
                sources = []
                for spec in files:
                    package, _, pattern = spec.partition(":")
                    root = Path(str(resources.files(package)))
                    sources.extend(sorted(root.glob(pattern)))
                memo.append(_load_or_build(name, sources, load))
            return memo[0]

        return cached

    return decorate


def _load_or_build(name: str, sources: list[Path], load: Callable[[], T]) -> T:
    from crossdeal._model_cache import read, store
    from crossdeal.people.store import home

    try:
        digest = hashlib.sha256(_code_mark().encode())
        for path in sources:
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        folder = home() / "cache"
        path = folder / f"{name}-{digest.hexdigest()[:20]}.pickle"
    except OSError:  # a data file or the home cannot be looked at: the loader decides
        return load()
    found = read(path)
    if found is not None:
        return found  # type: ignore[return-value]  # written by this loader, this code
    value = load()
    store(value, folder, path, f"{name}-")
    return value
