"""Read-side queries for the digest, status and export. Times are UTC ISO strings.

Each query streams or returns a bounded set: nothing here loads the whole archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `readouts status` reads through plain sqlite3
    import sqlite_utils

ARTICLE_COLUMNS = ("id, url, source, city, language, title, published, published_utc, "
                   "first_seen, last_seen, is_readout, kind, text, markdown, revision, late_week, "
                   "text_hash")


@dataclass
class Article:
    id: int
    url: str
    source: str
    city: str
    language: str
    title: str
    published: str | None
    published_utc: str | None
    first_seen: str
    last_seen: str
    is_readout: bool
    kind: str | None
    text: str
    markdown: str
    revision: int
    late_week: str | None
    text_hash: str | None


def _article(row: tuple) -> Article:  # type: ignore[type-arg]
    a = Article(*row)
    a.is_readout = bool(a.is_readout)
    a.title, a.text, a.markdown = a.title or "", a.text or "", a.markdown or ""
    return a


def readouts_published(db: sqlite_utils.Database, start: str, end: str) -> list[Article]:
    """Readouts published in [start, end), oldest first."""
    rows = db.execute(f"SELECT {ARTICLE_COLUMNS} FROM readouts WHERE is_readout = 1 AND "
                      "published_utc >= ? AND published_utc < ? ORDER BY published_utc, id",
                      (start, end))
    return [_article(r) for r in rows]


def readouts_late_for(db: sqlite_utils.Database, week: str) -> list[Article]:
    rows = db.execute(f"SELECT {ARTICLE_COLUMNS} FROM readouts WHERE is_readout = 1 AND "
                      "late_week = ? ORDER BY published_utc, id", (week,))
    return [_article(r) for r in rows]


def late_candidates(db: sqlite_utils.Database, before: str) -> list[Article]:
    """Readouts published before `before`, not yet listed as late, first seen after some digest."""
    rows = db.execute(
        f"SELECT {ARTICLE_COLUMNS} FROM readouts WHERE is_readout = 1 AND late_week IS NULL "
        "AND published_utc < ? AND first_seen > (SELECT MIN(first_written_at) FROM digests) "
        "ORDER BY published_utc, id", (before,))
    return [_article(r) for r in rows]


def history(db: sqlite_utils.Database, city: str, before: str, limit: int = 50) -> list[Article]:
    """The city's most recent readouts published before `before`, newest first."""
    rows = db.execute(f"SELECT {ARTICLE_COLUMNS} FROM readouts WHERE is_readout = 1 AND city = ? "
                      "AND published_utc < ? ORDER BY published_utc DESC, id DESC LIMIT ?",
                      (city, before, limit))
    return [_article(r) for r in rows]


def readouts_between_iter(db: sqlite_utils.Database, start: str, end: str) -> Iterator[Article]:
    """Stream readouts published in [start, end) (for theme baselines over many weeks)."""
    for row in db.execute(f"SELECT {ARTICLE_COLUMNS} FROM readouts WHERE is_readout = 1 AND "
                          "published_utc >= ? AND published_utc < ? ORDER BY published_utc, id",
                          (start, end)):
        yield _article(row)


def cached_phrases(db: sqlite_utils.Database, articles: list[Article],
                   version: int) -> dict[int, list[tuple[str, int]]]:
    """Cached ranked phrases of these readouts, where their text and the version still match."""
    out: dict[int, list[tuple[str, int]]] = {}
    wanted = {a.id: a.text_hash for a in articles}
    ids = list(wanted)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for rid, thash, phrases in db.execute(
                f"SELECT readout_id, text_hash, phrases FROM readout_themes WHERE version = ? "
                f"AND readout_id IN ({marks})", [version, *chunk]):
            if thash == wanted[rid]:
                out[rid] = [(p, c) for p, c in json.loads(phrases)]
    return out


def save_phrases(db: sqlite_utils.Database, rows: list[tuple[int, str, list[tuple[str, int]]]],
                 version: int) -> None:
    """Store (readout id, text hash, ranked phrases): derived data, the digest's own cache."""
    if not rows:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        db.conn.executemany(
            "INSERT OR REPLACE INTO readout_themes(readout_id, text_hash, version, phrases) "
            "VALUES (?, ?, ?, ?)",
            [(rid, thash, version, json.dumps(phrases, ensure_ascii=False))
             for rid, thash, phrases in rows])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


@dataclass
class Copy:
    readout_id: int
    url: str
    source: str
    title: str
    similarity: float


def copies_of(db: sqlite_utils.Database, ids: list[int]) -> dict[int, list[Copy]]:
    out: dict[int, list[Copy]] = {i: [] for i in ids}
    if not ids:
        return out
    marks = ",".join("?" * len(ids))
    for row in db.execute(f"SELECT readout_id, url, source, title, similarity FROM copies "
                          f"WHERE readout_id IN ({marks}) ORDER BY url", ids):
        out[row[0]].append(Copy(row[0], row[1], row[2], row[3] or "", row[4]))
    return out


@dataclass
class Revision:
    readout_id: int
    number: int
    seen_at: str
    title: str
    text: str


def revisions_seen(db: sqlite_utils.Database, start: str, end: str) -> list[tuple[Revision, Revision]]:
    """(previous, new) revision pairs of readouts revised in [start, end)."""
    pairs = []
    rows = db.execute("SELECT n.readout_id, n.number, n.seen_at, n.title, n.text, "
                      "p.number, p.seen_at, p.title, p.text FROM revisions n JOIN revisions p "
                      "ON p.readout_id = n.readout_id AND p.number = n.number - 1 "
                      "JOIN readouts r ON r.id = n.readout_id WHERE r.is_readout = 1 "
                      "AND n.seen_at >= ? AND n.seen_at < ? ORDER BY n.seen_at, n.readout_id",
                      (start, end))
    for r in rows:
        pairs.append((Revision(r[0], r[5], r[6], r[7] or "", r[8] or ""),
                      Revision(r[0], r[1], r[2], r[3] or "", r[4] or "")))
    return pairs


def article(db: sqlite_utils.Database, readout_id: int) -> Article:
    row = db.execute(f"SELECT {ARTICLE_COLUMNS} FROM readouts WHERE id = ?",
                     (readout_id,)).fetchone()
    return _article(row)


@dataclass
class Run:
    source: str
    started: str
    finished: str | None
    status: str
    pages: int
    new_readouts: int
    errors: int
    error: str | None


def runs(db: sqlite_utils.Database, start: str, end: str) -> list[Run]:
    rows = db.execute("SELECT source, started, finished, status, pages, new_readouts, errors, "
                      "error FROM crawl_runs WHERE started >= ? AND started < ? "
                      "ORDER BY source, started, id", (start, end))
    return [Run(*r) for r in rows]


def last_run_before(db: sqlite_utils.Database, source: str, end: str) -> Run | None:
    row = db.execute("SELECT source, started, finished, status, pages, new_readouts, errors, "
                     "error FROM crawl_runs WHERE source = ? AND started < ? "
                     "ORDER BY started DESC, id DESC LIMIT 1", (source, end)).fetchone()
    return Run(*row) if row else None


def failing_since(db: sqlite_utils.Database, source: str, end: str) -> str | None:
    """Start of the current streak of failed runs before `end`, or None if the last run was ok."""
    row = db.execute("SELECT MAX(started) FROM crawl_runs WHERE source = ? AND started < ? "
                     "AND status = 'ok'", (source, end)).fetchone()
    last_ok = row[0] or ""
    row = db.execute("SELECT MIN(started) FROM crawl_runs WHERE source = ? AND started < ? "
                     "AND started > ? AND status != 'ok' AND status != 'running'",
                     (source, end, last_ok)).fetchone()
    return row[0]


def digests(db: sqlite_utils.Database) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r[0]: {"path": r[1], "first_written_at": r[2], "written_at": r[3], "readouts": r[4]}
            for r in db.execute("SELECT week, path, first_written_at, written_at, readouts "
                                "FROM digests ORDER BY week")}


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    q = {
        "articles": "SELECT COUNT(*) FROM readouts",
        "readouts": "SELECT COUNT(*) FROM readouts WHERE is_readout = 1",
        "copies": "SELECT COUNT(*) FROM copies",
        "revisions": "SELECT COUNT(*) FROM revisions WHERE number > 1",
        "captures": "SELECT COUNT(*) FROM captures",
    }
    return {k: db.execute(sql).fetchone()[0] for k, sql in q.items()}
