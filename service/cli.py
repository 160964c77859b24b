"""The `readouts` command. Heavy libraries are imported inside the commands that use them."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from service import logs
from service.config import Config, ConfigError, default_path, load
from service.lock import Busy
from storage.errors import SchemaError

log = logging.getLogger("readouts")

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


class CommandError(Exception):
    """A user-facing failure: one line, and an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def _now() -> datetime:
    return datetime.now(UTC)


def _config(args: argparse.Namespace) -> Config:
    config = load(args.config or default_path())
    if args.log_format is None and config.log_format != "text":
        logs.setup(config.log_format)
    return config


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """SIGTERM/SIGINT set the event (a running crawl child is then stopped) instead of killing."""
    stop = threading.Event()
    handler = lambda _signum, _frame: stop.set()  # noqa: E731
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# -- commands -------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from service.demo.run import run

    out = Path(args.out)
    result = run(out, log=lambda line: print(line, file=sys.stderr))
    for path in result.digests:
        print(path)
    print(result.index)
    print(f"{len(result.digests)} weekly digests, {result.readouts} readouts "
          f"({result.copies} reprints found, {result.revisions} revisions) in {result.database}",
          file=sys.stderr)
    return EXIT_OK


def cmd_crawl(args: argparse.Namespace) -> int:
    from service.crawl_runner import run_crawl
    from service.lock import FOREVER, crawl_lock

    config = _config(args)
    for name in args.source:
        config.source(name)
    if not config.sources:
        raise CommandError(f"{config.path}: no [[sources]] configured", EXIT_USAGE)
    with crawl_lock(config.database, FOREVER if args.wait else 0), \
            _stop_on_signals() as stop:
        result = run_crawl(config, args.source or None, refetch=args.refetch, stop=stop)
    for o in result.outcomes:
        line = (f"{o['source']}: {o['status']}, {o.get('pages', 0)} pages, "
                f"{o.get('new_readouts', 0)} new readouts, {o.get('errors', 0)} errors")
        if o.get("error"):
            line += f" (last: {o['error']})"
        print(line)
    return EXIT_OK if result.ok else EXIT_FAILED


def cmd_digest(args: argparse.Namespace) -> int:
    from service.lock import digest_lock

    config = _config(args)
    with digest_lock(config.database):
        paths = _write_digests(args, config)
    for path in paths:
        print(path)
    return EXIT_OK


def _write_digests(args: argparse.Namespace, config: Config) -> list[Path]:
    from digest.weeks import Week, last_complete_week
    from digest.write import WeekNotOver, write_missing, write_week
    from storage.schema import open_db

    db = open_db(config.database)
    try:
        if args.missing:
            paths = write_missing(db, config.digest, _now())
        else:
            try:
                week = (Week.parse(args.week) if args.week
                        else last_complete_week(_now(), config.digest.tz))
                paths = [write_week(db, week, config.digest, _now())]
            except (WeekNotOver, ValueError) as exc:
                raise CommandError(str(exc), EXIT_USAGE) from None
    finally:
        db.close()
    return paths


def cmd_serve(args: argparse.Namespace) -> int:
    from service.scheduler import serve

    return serve(_config(args))


def cmd_status(args: argparse.Namespace) -> int:
    from service.status import collect, render

    config = _config(args)
    report = collect(config, _now())
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print(render(report))
    return EXIT_OK if report["healthy"] else EXIT_FAILED


def cmd_search(args: argparse.Namespace) -> int:
    from storage.schema import open_db
    from storage.search import search

    config = _config(args)
    db = open_db(config.database)
    try:
        hits = search(db, args.query, limit=args.limit)
    finally:
        db.close()
    if not hits:
        print("no matches", file=sys.stderr)
        return EXIT_FAILED
    for hit in hits:
        kind = "readout" if hit.is_readout else "article"
        print(f"{hit.published or '?'}  {hit.source}  [{kind}]  {hit.title}\n  {hit.url}\n"
              f"  {hit.snippet}")
    return EXIT_OK


def cmd_sources_check(args: argparse.Namespace) -> int:
    from service.check import check_source

    config = _config(args)
    source = config.source(args.name)
    return check_source(config, source, limit=args.limit)


def cmd_export(args: argparse.Namespace) -> int:
    from service.export import export

    config = _config(args)
    if args.out:
        with open(args.out, "wb") as f:
            n = export(config, args.format, f)
    else:
        n = export(config, args.format, sys.stdout.buffer)
    print(f"exported {n} records", file=sys.stderr)
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="readouts", description="Archive the readouts of city meetings and write a weekly "
                                     "Markdown digest of them.")
    p.add_argument("--config", help="config file (default: readouts.toml, or $READOUTS_CONFIG)")
    p.add_argument("--log-format", choices=("text", "json"),
                   help="log lines on stderr as text or JSON (default: [service] log_format, "
                        "else text)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("demo", help="crawl the bundled demo site and write its digests (no config, "
                                    "no network)")
    s.add_argument("--out", default="readouts-demo", help="output folder (default: ./readouts-demo)")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("crawl", help="crawl all (or the named) sources once, then exit")
    s.add_argument("--source", action="append", default=[], metavar="NAME")
    s.add_argument("--refetch", action="store_true", help="fetch known articles again")
    s.add_argument("--wait", action="store_true",
                   help="wait for another crawl of this database to finish instead of exiting")
    s.set_defaults(func=cmd_crawl)

    s = sub.add_parser("digest", help="write one week's digest (default: the last complete week)")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--week", metavar="YYYY-Www")
    g.add_argument("--missing", action="store_true", help="write every missing week")
    s.set_defaults(func=cmd_digest)

    s = sub.add_parser("serve", help="run the scheduler in the foreground")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("status", help="last crawls, failures, counts, next runs, last digest")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("search", help="full-text search over stored readouts")
    s.add_argument("query")
    s.add_argument("--limit", type=int, default=20)
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("sources", help="inspect configured sources")
    ss = s.add_subparsers(dest="sources_command", required=True, metavar="SUBCOMMAND")
    c = ss.add_parser("check", help="dry run of one source: links it would follow, what it extracts")
    c.add_argument("name")
    c.add_argument("--limit", type=int, default=3, help="articles to read (default 3)")
    c.set_defaults(func=cmd_sources_check)

    s = sub.add_parser("export", help="every article as JSON lines, or every capture as WARC")
    s.add_argument("--format", choices=("jsonl", "warc"), required=True)
    s.add_argument("--out", metavar="PATH", help="file to write (default: standard output)")
    s.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logs.setup(args.log_format or "text")
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"readouts: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommandError as exc:
        print(f"readouts: {exc}", file=sys.stderr)
        return exc.code
    except SchemaError as exc:
        print(f"readouts: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Busy as exc:
        print(f"readouts: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
