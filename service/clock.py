"""The service's clock: the one place the service reads the time.

APScheduler 3 reads the process clock (`datetime.now`) itself, so the service does too,
and a simulated clock moves the whole process clock (time-machine). Crawl children are
other processes that a moved clock does not reach: they are told the time (`--now`).
"""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def crawl_time(self) -> datetime | None:
        """The time a crawl child records its crawl at; None: the child reads its own clock."""
        return None


class SimulatedClock(Clock):
    """Time that stands still until moved: for tests and replays (needs time-machine)."""

    def __init__(self, start: datetime) -> None:
        import time_machine

        self._travel = time_machine.travel(start, tick=False)
        self._coordinates = self._travel.start()

    def move_to(self, moment: datetime) -> None:
        self._coordinates.move_to(moment)

    def stop(self) -> None:
        self._travel.stop()

    def crawl_time(self) -> datetime | None:
        return self.now()
