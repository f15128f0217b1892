"""Locks that keep two runs, or two schedulers, off one database at once.

On PostgreSQL the lock is a session advisory lock, so it holds across every
machine that uses the database; on SQLite (a file on this machine) it is an
exclusive ``flock`` on a file beside the database. Both are released by the
operating system or the server if the process dies: a crash never leaves a
stale lock behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ventanas.storage import Storage


class LockBusy(RuntimeError):
    """Another process holds the lock."""


def _advisory_key(name: str) -> int:
    digest = hashlib.sha256(f"ventanas:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class DatabaseLock:
    def __init__(self, storage: Storage, name: str, lock_dir: Path):
        self.storage = storage
        self.name = name
        self.lock_dir = Path(lock_dir)
        self._connection: Any = None
        self._file: Any = None

    @property
    def where(self) -> str:
        if self.storage.dialect == "postgresql":
            return f"PostgreSQL advisory lock '{self.name}' on {self.storage.describe_url()}"
        return str(self.lock_dir / f"{self.name}.lock")

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self.storage.dialect == "postgresql":
            connection = self.storage.engine.connect()
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _advisory_key(self.name)}).scalar()
            connection.commit()
            if not got:
                connection.close()
                return False
            self._connection = connection
            return True
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_dir / f"{self.name}.lock", "a+")  # noqa: SIM115 - held open for the lock's life
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _advisory_key(self.name)})
            self._connection.commit()
            self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> DatabaseLock:
        if not self.acquire():
            raise LockBusy(f"another ventanas process holds the '{self.name}' lock ({self.where})")
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
