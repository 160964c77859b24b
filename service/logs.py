"""One line per event on stderr: plain text, or JSON for log collectors.

`event()` attaches machine-readable fields (`event`, `source`, `pages`, …) that the JSON
format emits as keys; the text format keeps them in the message. Tracebacks never span
lines: text shows the exception's last line, JSON carries the traceback in one field.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

QUIET = ("apscheduler",)   # its INFO lines repeat the service's own job events


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = logging.Formatter.format(self, _without_exc(record))
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line += f" ({type(exc).__name__}: {exc})"
        return line.replace("\n", " ")


def _without_exc(record: logging.LogRecord) -> logging.LogRecord:
    copy = logging.makeLogRecord(record.__dict__)
    copy.exc_info = copy.exc_text = None
    return copy


def event(log: logging.Logger, name: str, message: str, *args: Any, level: int = logging.INFO,
          exc_info: bool = False, **fields: Any) -> None:
    """Log one event: `message % args` for people, `name` and `fields` for machines."""
    log.log(level, message, *args, exc_info=exc_info, extra={"fields": {"event": name, **fields}})


def setup(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
