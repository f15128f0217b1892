"""Run and scheduler locks: one holder per database, released when the holder dies."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ventanas.locking import DatabaseLock, LockBusy


def test_second_holder_is_refused_until_release(storage, settings):
    first = DatabaseLock(storage, "run", settings.var_dir)
    second = DatabaseLock(storage, "run", settings.var_dir)
    assert first.acquire()
    assert not second.acquire()
    with pytest.raises(LockBusy, match="another ventanas process"):
        second.__enter__()
    first.release()
    assert second.acquire()
    second.release()


def test_locks_with_different_names_are_independent(storage, settings):
    with DatabaseLock(storage, "run", settings.var_dir), DatabaseLock(storage, "scheduler", settings.var_dir):
        assert not DatabaseLock(storage, "scheduler", settings.var_dir).acquire()


def test_lock_dies_with_its_process(storage, settings):
    """A crashed holder must not leave a stale lock (flock / advisory locks end with the process)."""
    code = textwrap.dedent(f"""
        import os, sys
        from ventanas.storage import Storage
        from ventanas.locking import DatabaseLock
        lock = DatabaseLock(Storage.open({settings.resolved_database_url!r}), "run", {str(settings.var_dir)!r})
        assert lock.acquire()
        print("held", flush=True)
        sys.stdin.readline()
        os._exit(9)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    assert not DatabaseLock(storage, "run", settings.var_dir).acquire()
    child.kill()
    child.communicate(timeout=30)  # reaps the child and closes its pipes
    lock = DatabaseLock(storage, "run", settings.var_dir)
    assert lock.acquire()
    lock.release()
