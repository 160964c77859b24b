"""Real crawls (child process, Scrapy, SQLite) of the fixture portals served on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from service.config import load
from service.crawl_runner import CrawlResult, run_crawl
from service.demo.content import TZ
from service.demo.server import Reply, SiteServer
from tests.fixtures.crawler.portal import (
    EN_HOST,
    OFFSITE_HOST,
    ZH_HOST,
    ZH_LIST,
    BigSite,
    FixturePortals,
)
from tests.helpers import run_cli, write_config

SOURCES = f"""
[[sources]]
name = "hecheng-zh"
city = "Hecheng"
language = "zh"
start_urls = ["http://{ZH_HOST}{ZH_LIST}index.html"]
download_delay = 0
download_timeout = 1

[[sources]]
name = "hecheng-en"
city = "Hecheng"
language = "en"
start_urls = ["http://{EN_HOST}/news/list1.html"]
next_page = "a.next"
download_delay = 0
"""



def big_source(extra: str = "") -> str:
    """The `[[sources]]` table of the generated BigSite, with extra settings."""
    return f"""
[[sources]]
name = "big"
city = "Big"
language = "zh"
start_urls = ["http://{BigSite.host}/xw/index.html"]
download_delay = 0
{extra}"""

def proxy(server: SiteServer) -> dict[str, str]:
    return {"http_proxy": server.url, "HTTP_PROXY": server.url, "no_proxy": "", "NO_PROXY": ""}


def crawl(config_path: Path, server: SiteServer, **kwargs: object) -> CrawlResult:
    return run_crawl(load(config_path), env=proxy(server), timeout=300, **kwargs)  # type: ignore[arg-type]


def rows(db: Path, sql: str, *args: object) -> list[tuple]:  # type: ignore[type-arg]
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@dataclass
class Crawled:
    site: FixturePortals
    server: SiteServer
    db: Path
    result: CrawlResult


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    folder = tmp_path_factory.mktemp("portals")
    site = FixturePortals()
    with SiteServer(site.route) as server:
        result = crawl(write_config(folder, SOURCES), server)
        yield Crawled(site, server, folder / "data" / "readouts.db", result)


def test_both_sources_are_crawled_and_their_outcomes_recorded(portals: Crawled) -> None:
    p = portals
    outcomes = {o["source"]: o for o in p.result.outcomes}
    assert outcomes["hecheng-zh"]["status"] == "ok" and outcomes["hecheng-en"]["status"] == "ok"
    runs = dict(rows(p.db, "SELECT source, status FROM crawl_runs"))
    assert runs == {"hecheng-zh": "ok", "hecheng-en": "ok"}
    # the 404, the 20 MB page and nothing else count as errors
    assert outcomes["hecheng-zh"]["errors"] == 2
    assert outcomes["hecheng-zh"]["new_readouts"] >= 8


def test_three_list_pages_are_followed_in_both_languages(portals: Crawled) -> None:
    p = portals
    for n in ("index.html", "index_1.html", "index_2.html"):
        assert p.server.requests[f"{ZH_HOST}{ZH_LIST}{n}"] == 1
    for n in (1, 2, 3):
        assert p.server.requests[f"{EN_HOST}/news/list{n}.html"] == 1


def test_gbk_pages_are_decoded_and_dated_with_a_timezone(portals: Crawled) -> None:
    p = portals
    entry = p.site.zh[5]
    (title, published), = rows(p.db, "SELECT title, published FROM readouts WHERE url LIKE ?",
                               f"%{entry.path}")
    assert title == entry.title
    assert datetime.fromisoformat(published) == entry.stamp
    assert datetime.fromisoformat(published).utcoffset() is not None


def test_english_dates_and_titles(portals: Crawled) -> None:
    p = portals
    got = dict(rows(p.db, "SELECT title, published FROM readouts WHERE source = 'hecheng-en'"))
    assert got == {e.title: e.stamp.isoformat() for e in p.site.en}  # type: ignore[union-attr]


def test_readouts_and_lookalikes_are_archived_and_flagged(portals: Crawled) -> None:
    p = portals
    flags = {title: (bool(r), kind) for title, r, kind in
             rows(p.db, "SELECT title, is_readout, kind FROM readouts")}
    for entry in p.site.zh + p.site.en:
        assert entry.art is not None
        expected = (entry.art.type == "readout", entry.art.kind)
        assert flags[entry.title] == expected, entry.title
    assert any(not r for r, _ in flags.values()), "non-readouts are archived too"


def test_an_undated_page_is_archived_without_a_date(portals: Crawled) -> None:
    p = portals
    (published,), = rows(p.db, "SELECT published FROM readouts WHERE url LIKE ?", f"%{p.site.undated.path}")
    assert published is None


def test_dead_link_is_archived_as_a_404_capture(portals: Crawled) -> None:
    p = portals
    assert rows(p.db, "SELECT status FROM captures WHERE url LIKE ?", f"%{p.site.dead.path}") == [(404,)]
    assert p.server.requests[f"{ZH_HOST}{p.site.dead.path}"] == 1   # 404 is not retried


def test_a_500_and_a_timeout_are_retried_and_then_stored(portals: Crawled) -> None:
    p = portals
    for entry in (p.site.flaky, p.site.slow):
        assert p.server.requests[f"{ZH_HOST}{entry.path}"] == 2
        assert rows(p.db, "SELECT title FROM readouts WHERE url LIKE ?", f"%{entry.path}") == [(entry.title,)]


def test_redirect_off_site_is_not_followed(portals: Crawled) -> None:
    p = portals
    assert p.server.requests[f"{ZH_HOST}{p.site.offsite.path}"] == 1
    assert not [k for k in p.server.requests if k.startswith(OFFSITE_HOST)]
    assert rows(p.db, "SELECT COUNT(*) FROM captures WHERE url LIKE ?", f"%{p.site.offsite.path}") == [(0,)]


def test_a_20_mb_response_is_refused(portals: Crawled) -> None:
    p = portals
    assert p.server.requests[f"{ZH_HOST}{p.site.huge.path}"] == 1
    assert rows(p.db, "SELECT COUNT(*) FROM captures WHERE url LIKE ?", f"%{p.site.huge.path}") == [(0,)]
    assert rows(p.db, "SELECT MAX(size) FROM blobs")[0][0] < 1024 * 1024


def test_robots_txt_forbidden_path_is_never_requested(portals: Crawled) -> None:
    p = portals
    assert p.server.requests[f"{ZH_HOST}/robots.txt"] == 1
    assert p.server.requests[f"{ZH_HOST}{p.site.forbidden.path}"] == 0


def test_same_text_at_two_urls_is_one_readout_with_a_copy(portals: Crawled) -> None:
    p = portals
    original, twin = p.site.zh[0], p.site.twin
    assert p.server.requests[f"{ZH_HOST}{original.path}"] == 1
    assert p.server.requests[f"{ZH_HOST}{twin.path}"] == 1
    readouts = rows(p.db, "SELECT url FROM readouts WHERE title = ?", original.title)
    copies = rows(p.db, "SELECT url FROM copies")
    assert len(readouts) == 1 and len(copies) == 1
    assert {readouts[0][0][-30:], copies[0][0][-30:]} == {original.path[-30:], twin.path[-30:]}


def test_a_failing_source_does_not_stop_the_others(tmp_path: Path) -> None:
    big = BigSite(5)

    def route(host: str, path: str) -> Reply:
        if host == "www.broken.example":
            return Reply(500, b"down")
        return big.route(host, path)

    with SiteServer(route) as server:
        path = write_config(tmp_path, """
[[sources]]
name = "broken"
city = "Broken"
language = "zh"
start_urls = ["http://www.broken.example/xw/index.html"]
download_delay = 0
""" + big_source())
        result = crawl(path, server)
    outcomes = {o["source"]: o for o in result.outcomes}
    assert result.returncode != 0
    assert outcomes["broken"]["status"] == "failed" and "500" in outcomes["broken"]["error"]
    assert outcomes["big"]["status"] == "ok" and outcomes["big"]["new_articles"] == 5
    assert server.requests["www.broken.example/xw/index.html"] == 3   # first try + 2 retries
    db = tmp_path / "data" / "readouts.db"
    assert dict(rows(db, "SELECT source, status FROM crawl_runs")) == {"broken": "failed", "big": "ok"}


def test_second_crawl_of_an_unchanged_200_article_site_requests_list_pages_only(tmp_path: Path) -> None:
    site = BigSite(200)
    with SiteServer(site.route) as server:
        path = write_config(tmp_path, big_source("max_pages = 20"))
        first = crawl(path, server, polite=False)
        assert first.ok and first.outcomes[0]["pages"] == 10 + 200
        assert site.article_requests(server.requests) == 200
        assert sum(1 for k in server.requests if "/xw/index" in k) == 10
        server.requests.clear()
        second = crawl(path, server, polite=False)
    assert second.ok and second.outcomes[0]["new_articles"] == 0
    assert site.article_requests(server.requests) == 0
    assert {k for k in server.requests if k.endswith(".html")} == {f"{BigSite.host}/xw/index.html"}


def test_refetch_fetches_archived_articles_again(tmp_path: Path) -> None:
    site = BigSite(30)
    with SiteServer(site.route) as server:
        path = write_config(tmp_path, big_source())
        assert crawl(path, server, polite=False).ok
        server.requests.clear()
        assert crawl(path, server, polite=False, refetch=True).ok
    assert site.article_requests(server.requests) == 30


def test_max_age_days_skips_and_stops_at_older_list_entries(tmp_path: Path) -> None:
    site = BigSite(100)   # one article a day, newest 2022-11-30, 20 a page
    with SiteServer(site.route) as server:
        path = write_config(tmp_path, big_source("max_age_days = 25"))
        result = crawl(path, server, polite=False, now=datetime(2022, 12, 1, 8, 0, tzinfo=TZ))
    assert result.ok
    # 2022-11-06 .. 2022-11-30 are within 25 days of 2022-12-01 08:00
    assert site.article_requests(server.requests) == 25
    assert sorted(k for k in server.requests if "/xw/index" in k) == [
        f"{BigSite.host}/xw/index.html", f"{BigSite.host}/xw/index_1.html",
        f"{BigSite.host}/xw/index_2.html"]


def test_sources_check_prints_links_pagination_and_first_articles(tmp_path: Path) -> None:
    site = FixturePortals()
    with SiteServer(site.route) as server:
        path = write_config(tmp_path, SOURCES)
        proc = run_cli("--config", str(path), "sources", "check", "hecheng-en", env=proxy(server))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"list page http://{EN_HOST}/news/list1.html: 3 article links" in out
    assert f"next page: http://{EN_HOST}/news/list2.html" in out
    first = site.en[0]
    assert first.title in out and first.stamp.isoformat() in out  # type: ignore[union-attr]
    assert "readout (party_standing_committee)" in out or "not a readout" in out
    assert first.art is not None and first.art.paragraphs[0][:60] in out
    assert not (tmp_path / "data" / "readouts.db").exists() or \
        rows(tmp_path / "data" / "readouts.db", "SELECT COUNT(*) FROM readouts") == [(0,)]
