"""Shared by the digest tests (no tests here): fixture readouts and real archives.

Fixture readouts live in tests/fixtures/readouts/{zh,en}/: `key: value` header lines, a
`---` line, then the text. `expect_*` headers hold what parsing must find.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.items import ArticleItem
from storage.archive import Archive

FIXTURES = Path(__file__).parent / "fixtures" / "readouts"


@dataclass
class Fixture:
    name: str
    language: str
    meta: dict[str, str]
    text: str

    def expected_list(self, key: str) -> list[str]:
        return [v.strip() for v in self.meta.get(key, "").split(",") if v.strip()]


def load(language: str) -> list[Fixture]:
    out = []
    for path in sorted((FIXTURES / language).glob("*.txt")):
        head, text = path.read_text(encoding="utf-8").split("\n---\n", 1)
        meta = dict(line.split(":", 1) for line in head.splitlines())
        out.append(Fixture(path.stem, language, {k.strip(): v.strip() for k, v in meta.items()},
                           text.strip()))
    return out


def item(source: str, city: str, language: str, url: str, title: str, text: str,
         published: str, fetched: str | None = None, kind: str | None = "party_standing_committee",
         is_readout: bool = True) -> ArticleItem:
    """A fetched page as the crawler hands it to storage. Times are ISO 8601 with offset."""
    fetched_at = datetime.fromisoformat(fetched or published).astimezone(UTC)
    return ArticleItem(
        source=source, city=city, language=language, url=url, final_url=url, canonical_url=url,
        status=200, fetched_at=fetched_at.isoformat(timespec="seconds"), encoding="utf-8",
        body=f"<html><h1>{title}</h1><p>{text}</p></html>".encode(), title=title,
        published=published, text=text, markdown=text, is_readout=is_readout, kind=kind)


def store(archive: Archive, items: list[ArticleItem], source: str = "src",
          status: str = "ok", error: str | None = None) -> None:
    """One crawl run that stored these items, started when the first was fetched."""
    started = items[0].fetched_at if items else "2026-01-01T00:00:00+00:00"
    run = archive.start_run(source, "", "", started)
    result = archive.store(items, run)
    archive.finish_run(run, started, status, len(items), result.new_articles,
                       result.new_readouts, 0 if status == "ok" else 1, error)
