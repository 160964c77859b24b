"""`readouts search` and `readouts export` through the CLI, on an archive built by storage."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from storage.archive import Archive
from storage.schema import open_db
from tests.fixtures.storage.items import item, pair_item
from tests.helpers import run_cli, write_config

# DESIGN.md, "Export": the keys of every JSON line, in this order.
EXPORT_KEYS = ["url", "source", "city", "language", "title", "published", "first_seen",
               "is_readout", "kind", "meeting_date", "presider", "presider_title", "attendees",
               "agenda", "themes", "text", "copies", "revisions"]
FLOOD = "http://zh.example/flood.html"
HEATING = "http://zh.example/heating.html"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    path = write_config(folder, "")
    archive = Archive(open_db(folder / "data" / "readouts.db"))
    archive.store([
        item(FLOOD, "11月2日，市委常委会召开会议，研究部署防汛工作。\n\n会议强调，防汛责任要压实，"
             "防汛物资要备足。", title="市委常委会研究部署防汛工作"),
        item(HEATING, "11月9日，市政府召开常务会议，研究今冬供暖工作。\n\n会议还听取了秋季防汛总结。",
             title="市政府常务会议研究供暖工作", kind="government_executive",
             published="2026-11-09T10:00:00+08:00"),
        item("http://en.example/flood.html", "On November 2, the Standing Committee met to plan "
             "flood control.\n\nFlood control duties must be fulfilled.", source="city-en",
             language="en", title="Standing Committee plans flood control"),
        item("http://zh.example/news.html", "江州马拉松11月8日开跑，三万名选手参赛。",
             title="江州马拉松开跑", is_readout=False, kind=None),
        pair_item("zh-psc-0928", "http://zh.example/0928.html", "city-zh"),
        pair_item("zh-psc-0928-yungang", "http://yg.example/reprint.html", "yungang-zh"),
        item("http://zh.example/gone.html", "", status=404, body=b"<html>Not Found</html>"),
    ])
    archive.store([item(HEATING, "11月9日，市政府召开常务会议，研究今冬供暖和燃气保供工作。"
                        "\n\n会议还听取了秋季防汛总结。", title="市政府常务会议研究供暖工作",
                        kind="government_executive", published="2026-11-09T10:00:00+08:00",
                        fetched_at="2026-11-10T04:00:00+00:00")])
    archive.db.close()
    return path


def _hits(proc) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Each hit: its header line, URL line and snippet line."""
    lines = proc.stdout.splitlines()
    return [[line.strip() for line in lines[i:i + 3]] for i in range(0, len(lines), 3)]


def test_chinese_query_finds_the_chinese_readout_best_first(config: Path) -> None:
    proc = run_cli("--config", str(config), "search", "防汛")
    assert proc.returncode == 0, proc.stderr
    hits = _hits(proc)
    assert [h[1] for h in hits[:2]] == [FLOOD, HEATING]   # in the title and thrice beats once
    assert "[防汛]" in hits[0][2] and "[readout]" in hits[0][0]
    assert "http://en.example/flood.html" not in proc.stdout


def test_two_character_words_inside_longer_chinese_words_are_found(config: Path) -> None:
    proc = run_cli("--config", str(config), "search", "会议")
    assert proc.returncode == 0, proc.stderr
    assert {FLOOD, HEATING, "http://zh.example/0928.html"} <= {h[1] for h in _hits(proc)}
    proc = run_cli("--config", str(config), "search", "抗旱")  # inside 防汛抗旱 in 0928's text
    hits = _hits(proc)
    assert [h[1] for h in hits] == ["http://zh.example/0928.html"]   # its reprint is a copy
    assert "[抗旱]" in hits[0][2]


def test_english_query_and_no_match(config: Path) -> None:
    proc = run_cli("--config", str(config), "search", "flood control")
    assert proc.returncode == 0, proc.stderr
    top = _hits(proc)[0]
    assert top[1] == "http://en.example/flood.html" and "[flood] [control]" in top[2].lower()
    proc = run_cli("--config", str(config), "search", "typhoon")
    assert proc.returncode == 1 and "no matches" in proc.stderr


def test_jsonl_export_lists_every_article_with_the_designed_keys(config: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    proc = run_cli("--config", str(config), "export", "--format", "jsonl", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(list(r) == EXPORT_KEYS for r in records)
    by_url = {r["url"]: r for r in records}
    # Five articles: the 404 is a capture only, the reprint is a copy, not a record.
    assert len(records) == 5 and "http://yg.example/reprint.html" not in by_url
    original = by_url["http://zh.example/0928.html"]
    assert [(c["url"], c["source"]) for c in original["copies"]] == [
        ("http://yg.example/reprint.html", "yungang-zh")]
    assert original["copies"][0]["similarity"] >= 0.7
    assert by_url[HEATING]["revisions"] == 2 and "燃气保供" in by_url[HEATING]["text"]
    assert by_url[FLOOD]["revisions"] == 1 and by_url[FLOOD]["copies"] == []
    news = by_url["http://zh.example/news.html"]
    assert news["is_readout"] is False and news["kind"] is None and news["agenda"] == []
    assert original["published"].endswith("+08:00") and original["meeting_date"] == "2026-09-28"


def test_warc_export_round_trips_through_warcio(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "captures.warc.gz"
    proc = run_cli("--config", str(config), "export", "--format", "warc", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    db = open_db(config.parent / "data" / "readouts.db")
    expected = [(r[0], r[1], zlib.decompress(r[2])) for r in db.execute(
        "SELECT c.final_url, c.status, b.body FROM captures c JOIN blobs b "
        "ON b.hash = c.content_hash ORDER BY c.id")]
    db.close()
    with out.open("rb") as f:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
                    r.http_headers.get_statuscode() if r.http_headers else None,
                    r.content_stream().read(), r.rec_headers.get_header("WARC-Date"))
                   for r in ArchiveIterator(f)]
    assert records[0][0] == "warcinfo"
    responses = [r for r in records if r[0] == "response"]
    assert [(url, int(status), body) for _, url, status, body, _ in responses] == expected
    assert len(responses) == 8
    assert all(date.endswith("Z") for *_, date in responses)
