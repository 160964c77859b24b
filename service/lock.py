"""One crawl (and one scheduler) per database, across processes.

An OS file lock (flock via filelock) beside the database: the kernel releases it when
the holding process dies, so a kill -9 never leaves a stale lock behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(RuntimeError):
    """Another process holds the lock."""


def lock_path(database: Path, purpose: str) -> Path:
    return database.with_name(f"{database.name}.{purpose}.lock")


@contextmanager
def hold(database: Path, purpose: str, wait: bool = False) -> Iterator[None]:
    from filelock import FileLock, Timeout

    path = lock_path(database, purpose)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=-1 if wait else 0)
    try:
        lock.acquire()
    except Timeout:
        what = "a crawl" if purpose == "crawl" else "readouts serve"
        raise Busy(f"{what} is already running on {database} (lock {path}); "
                   f"try again later{' or pass --wait' if purpose == 'crawl' else ''}") from None
    try:
        yield
    finally:
        lock.release()


def crawl_lock(database: Path, wait: bool = False):  # type: ignore[no-untyped-def]
    return hold(database, "crawl", wait)


def service_lock(database: Path):  # type: ignore[no-untyped-def]
    return hold(database, "serve", wait=False)
