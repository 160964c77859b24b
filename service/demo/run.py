"""`readouts demo`: serve the demo portals, crawl them week by week, write the digests.

The demo replays ten weeks of the service in fast-forward on a simulated clock: every
Monday at 07:00 (plus one Thursday crawl that catches an edited article) the site is
shown as it stood then, crawled by the real crawler in its own process, and every
week that has ended gets its digest. Running it again into the same folder adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from service import config as config_mod
from service.crawl_runner import run_crawl
from service.demo.content import TZ
from service.demo.server import SiteServer
from service.demo.site import PORTALS, DemoSite

FIRST_CRAWL = datetime(2026, 9, 21, 7, 0, tzinfo=TZ)
LAST_CRAWL = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)
EXTRA_CRAWLS = (datetime(2026, 11, 19, 7, 0, tzinfo=TZ),)

CONFIG = """\
# Written by `readouts demo`. The demo portals exist only while the demo runs.
[storage]
database = "readouts.db"

[digest]
output_dir = "digests"
timezone = "Asia/Shanghai"
since = "2026-09-14"
watch_terms = ["防汛", "疫情防控", "乡村振兴", "新能源汽车", "rural revitalization", "flood control"]

[schedule]
crawl = "0 7 * * mon,thu"
digest = "0 8 * * mon"
{sources}"""

SOURCE = """
[[sources]]
name = "{name}"
city = "{city}"
language = "{language}"
start_urls = ["http://{host}{list_path}index.html"]
download_delay = 0
revisit_days = {revisit}
"""


@dataclass
class DemoResult:
    digests: list[Path]
    index: Path
    database: Path
    readouts: int
    copies: int
    revisions: int


def crawl_times(after: datetime | None = None) -> list[datetime]:
    """The simulated crawl schedule, resumed after the last crawl already in the archive.

    Time only moves forward: a second run into the same folder crawls the portals once
    more in their final state (which must add nothing) instead of replaying the past.
    """
    times, t = list(EXTRA_CRAWLS), FIRST_CRAWL
    while t <= LAST_CRAWL:
        times.append(t)
        t += timedelta(weeks=1)
    pending = [t for t in sorted(times) if after is None or t > after]
    return pending or [LAST_CRAWL]


def _last_crawl(database: Path) -> datetime | None:
    from storage.schema import open_db

    if not database.exists():
        return None
    db = open_db(database)
    try:
        row = db.execute("SELECT MAX(started) FROM crawl_runs").fetchone()
    finally:
        db.close()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def write_config(out: Path) -> Path:
    sources = "".join(SOURCE.format(name=p.source, city=p.city, language=p.language, host=p.host,
                                    list_path=p.list_path, revisit=7 if p.source == "jiangzhou-zh" else 0)
                      for p in PORTALS)
    path = out / "readouts.toml"
    path.write_text(CONFIG.format(sources=sources), encoding="utf-8")
    return path


def run(out: Path, log=print) -> DemoResult:  # type: ignore[no-untyped-def]
    from digest.write import write_index, write_missing
    from storage import reads
    from storage.schema import open_db

    out.mkdir(parents=True, exist_ok=True)
    config = config_mod.load(write_config(out))
    site = DemoSite()
    with SiteServer(site.route) as server:
        proxy = {"http_proxy": server.url, "HTTP_PROXY": server.url, "no_proxy": "", "NO_PROXY": ""}
        for moment in crawl_times(after=_last_crawl(config.database)):
            site.now = moment
            result = run_crawl(config, now=moment, env=proxy, timeout=600)
            new = sum(o.get("new_readouts", 0) for o in result.outcomes)
            log(f"{moment:%Y-%m-%d %H:%M} crawl: {new} new readouts"
                + ("" if result.ok else " (some sources failed)"))
            db = open_db(config.database)
            try:
                for path in write_missing(db, config.digest, moment):
                    log(f"  wrote {path}")
            finally:
                db.close()
    db = open_db(config.database)
    try:
        index = write_index(db, config.digest)
        c = reads.counts(db)
        digests = sorted(config.digest.output_dir.glob("*-W*.md"))
    finally:
        db.close()
    return DemoResult(digests, index, config.database, c["readouts"], c["copies"], c["revisions"])
