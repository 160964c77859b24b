"""One scheduler, one crawl and one digest writer per database, across processes.

OS file locks (flock via filelock) beside the database: the kernel releases a lock when
the process holding it dies, so a kill -9 never leaves a stale lock behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

_WHAT = {"serve": "readouts serve", "crawl": "a crawl", "digest": "a digest writer"}
PATIENCE = 30.0   # seconds a crawl waits out brief holders (digest writers, catch-up checks)
FOREVER = -1.0


class Busy(RuntimeError):
    """Another process holds the lock."""


def lock_path(database: Path, purpose: str) -> Path:
    return database.with_name(f"{database.name}.{purpose}.lock")


@contextmanager
def hold(database: Path, purpose: str, timeout: float = 0) -> Iterator[None]:
    """Hold the lock, waiting up to `timeout` seconds (FOREVER: no limit) for it, else Busy."""
    from filelock import FileLock, Timeout

    path = lock_path(database, purpose)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        hint = "; try again later" + (" or pass --wait" if purpose == "crawl" else "")
        raise Busy(f"{_WHAT[purpose]} is already running on {database} (lock {path}){hint}") \
            from None
    try:
        yield
    finally:
        lock.release()


def crawl_lock(database: Path, timeout: float = PATIENCE) -> AbstractContextManager[None]:
    return hold(database, "crawl", timeout)


@contextmanager
def digest_lock(database: Path) -> Iterator[None]:
    """Wait for a running crawl to end, then hold the digest lock.

    A digest is written from a finished crawl, and a second writer waits (writing takes
    seconds) and then finds nothing left to write. No lock is held while waiting.
    """
    with crawl_lock(database, FOREVER):
        pass
    with hold(database, "digest", FOREVER):
        yield


def service_lock(database: Path) -> AbstractContextManager[None]:
    return hold(database, "serve")
