"""Uploaded files: written to a private temporary folder, bounded in size, and handed to
a background import."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from starlette.datastructures import UploadFile

from crossdeal.errors import InputError

__all__ = ["MAX_UPLOAD_BYTES", "UploadTooLarge", "save"]


class UploadTooLarge(InputError):
    """An uploaded file is larger than the server takes."""


def _limit() -> int:
    text = os.environ.get("CROSSDEAL_MAX_UPLOAD_MB", "")
    return int(text) * 1_000_000 if text.isdigit() and int(text) > 0 else 100_000_000


# the largest CRM export the server takes (CROSSDEAL_MAX_UPLOAD_MB overrides the 100 MB)
MAX_UPLOAD_BYTES = _limit()
_CHUNK = 1 << 20


async def save(upload: UploadFile, folder: Path, name: str, limit: int | None = None) -> int:
    """Write the upload to ``folder/name``; its size, or UploadTooLarge past the limit."""
    limit = limit or MAX_UPLOAD_BYTES
    size = 0
    target = folder / name
    with target.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(
                    f"{upload.filename or 'the file'} is larger than {limit // 1_000_000} MB; "
                    "import it with `crossdeal import` on the server, or split it"
                )
            out.write(chunk)
    return size


def private_folder() -> Path:
    """A new folder only this user can read (mkdtemp makes it 0700)."""
    return Path(tempfile.mkdtemp(prefix="crossdeal-upload-"))


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
