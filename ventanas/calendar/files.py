"""Writing published files: atomically, and only when their bytes change."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_if_changed(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Write ``data`` to ``path`` via a temp file + rename; return False if it was already so.

    A reader (a web server, a calendar client) never sees a half-written file,
    and an unchanged feed keeps its mtime, so its ETag and caches stay valid.
    ``durable=False`` skips the per-file fsync: a caller writing many files
    (the publisher) calls :func:`sync` once before it records that they are written.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def sync() -> None:
    """Flush every written file to disk: one call instead of an fsync per file (5 ms each on a busy disk)."""
    os.sync()
