"""The archive: every fetch a capture, bodies stored once, revisions, batches all-or-nothing."""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import pytest

from storage.archive import Archive
from storage.schema import open_db
from storage.search import search
from tests.fixtures.storage.items import item, pair_item

URL = "http://zh.example/t20261102_1.html"
TEXT = "11月2日，市委常委会召开会议，研究部署防汛工作。\n\n" + "会议强调，要压实防汛责任。" * 40


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(open_db(tmp_path / "readouts.db"))


def test_every_fetch_is_a_capture_and_each_body_is_stored_once(archive: Archive) -> None:
    page = item(URL, TEXT)
    archive.store([page])
    archive.store([item(URL, TEXT, fetched_at="2026-11-09T04:00:00+00:00")])
    archive.store([item("http://zh.example/gone.html", "", status=404, body=b"Not Found")])
    captures = list(archive.db["captures"].rows_where(order_by="id"))
    assert [(c["url"], c["status"], c["fetched_at"]) for c in captures] == [
        (URL, 200, "2026-11-02T04:00:00+00:00"), (URL, 200, "2026-11-09T04:00:00+00:00"),
        ("http://zh.example/gone.html", 404, "2026-11-02T04:00:00+00:00")]
    first = captures[0]
    assert first["final_url"] == URL and first["encoding"] == "utf-8"
    assert json.loads(first["headers"])["content-type"] == "text/html; charset=utf-8"
    assert first["content_hash"] == hashlib.sha256(page.body).hexdigest()
    assert captures[1]["content_hash"] == first["content_hash"]
    blobs = {b["hash"]: b for b in archive.db["blobs"].rows}
    assert len(blobs) == 2                                  # two distinct bodies
    blob = blobs[first["content_hash"]]
    assert zlib.decompress(blob["body"]) == page.body and blob["size"] == len(page.body)
    assert len(blob["body"]) < len(page.body) / 3           # compressed
    assert captures[0]["readout_id"] == captures[1]["readout_id"] is not None
    assert captures[2]["readout_id"] is None                # a dead link is no article


def test_readout_row_holds_fields_and_first_and_last_seen(archive: Archive) -> None:
    archive.store([item(URL, TEXT, title="市委常委会研究部署防汛工作")])
    archive.store([item(URL, TEXT, title="市委常委会研究部署防汛工作",
                        fetched_at="2026-11-09T04:00:00+00:00")])
    (row,) = archive.db["readouts"].rows
    assert {k: row[k] for k in ("url", "source", "city", "language", "title", "published",
                                "published_utc", "is_readout", "kind", "revision",
                                "first_seen", "last_seen")} == {
        "url": URL, "source": "city-zh", "city": "Jiangzhou", "language": "zh",
        "title": "市委常委会研究部署防汛工作", "published": "2026-11-02T10:00:00+08:00",
        "published_utc": "2026-11-02T02:00:00+00:00", "is_readout": 1,
        "kind": "party_standing_committee", "revision": 1,
        "first_seen": "2026-11-02T04:00:00+00:00", "last_seen": "2026-11-09T04:00:00+00:00"}


def test_a_changed_page_yields_two_revisions(archive: Archive) -> None:
    archive.store([item(URL, TEXT)])
    edited = TEXT.replace("防汛工作", "防汛和秋冬季供暖工作")
    result = archive.store([item(URL, edited, fetched_at="2026-11-05T04:00:00+00:00")])
    assert result.revisions == 1 and result.new_articles == 0
    revisions = list(archive.db["revisions"].rows_where(order_by="number"))
    assert [(r["number"], r["text"], r["seen_at"]) for r in revisions] == [
        (1, TEXT, "2026-11-02T04:00:00+00:00"), (2, edited, "2026-11-05T04:00:00+00:00")]
    (row,) = archive.db["readouts"].rows
    assert (row["text"], row["revision"]) == (edited, 2)
    assert [h.url for h in search(archive.db, "供暖")] == [URL]    # the index follows the text
    # Fetching the edited page again is no third revision.
    assert archive.store([item(URL, edited)]).unchanged == 1
    assert archive.db["revisions"].count == 2


def test_a_batch_is_stored_whole_or_not_at_all(archive: Archive) -> None:
    good = [pair_item(key, f"http://zh.example/{key}.html", "city-zh")
            for key in ("zh-psc-0915", "zh-psc-0922", "zh-gem-58")]
    broken = item("http://zh.example/bad.html", TEXT, published="not a date")
    with pytest.raises(ValueError):
        archive.store([*good, broken])
    assert [archive.db[t].count for t in ("captures", "blobs", "readouts", "lsh_bands")] == [0] * 4
    assert archive.store(good).new_articles == 3


def test_a_run_left_running_by_a_dead_crawl_is_closed_and_asks_for_a_full_pass(
        archive: Archive) -> None:
    assert not archive.last_run_incomplete("city-zh")           # never crawled
    first = archive.start_run("city-zh", "Jiangzhou", "zh", "2026-11-02T04:00:00+00:00")
    assert archive.last_run_incomplete("city-zh")               # died while running
    second = archive.start_run("city-zh", "Jiangzhou", "zh", "2026-11-03T04:00:00+00:00")
    runs = {r["id"]: r for r in archive.db["crawl_runs"].rows}
    assert runs[first]["status"] == "failed" and "interrupted" in runs[first]["error"]
    assert runs[second]["status"] == "running"
    archive.finish_run(second, "2026-11-03T04:05:00+00:00", "ok", 10, 3, 2, 0, None)
    assert not archive.last_run_incomplete("city-zh")
    assert archive.db["sources"].count == 1
