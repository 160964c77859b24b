"""Writing to the archive: captures, articles (readouts and the rest), copies, revisions.

Every write of a batch happens in one transaction, so a crash leaves either the whole
batch or none of it; the next crawl fetches what is missing.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import sqlite_utils

from crawler.items import ArticleItem
from storage import dedup
from storage.neardup import NearDupIndex
from storage.search import segment


@dataclass
class StoreResult:
    """What a batch did: counts by outcome, for crawl-run records and logs."""

    captures: int = 0
    new_articles: int = 0
    new_readouts: int = 0
    copies: int = 0
    revisions: int = 0
    unchanged: int = 0
    failed: int = 0
    new_ids: list[int] = field(default_factory=list)


def _utc(iso: str | None) -> str | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(UTC).isoformat(timespec="seconds")


class Archive:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.near = NearDupIndex(db)

    # -- crawl runs -------------------------------------------------------------------
    def start_run(self, source: str, city: str, language: str, started: str) -> int:
        """Open a crawl run. A run of this source still 'running' belongs to a crawl process
        that died (crawls of one database hold a lock): it is closed as failed."""
        with self._transaction():
            self.db["sources"].insert({"name": source, "city": city, "language": language,
                                       "first_seen": started}, ignore=True)
            self.db.execute("UPDATE crawl_runs SET status = 'failed', finished = ?, error = ? "
                            "WHERE source = ? AND status = 'running'",
                            (started, "interrupted: the crawl process died", source))
            return int(self.db["crawl_runs"].insert({"source": source, "started": started})
                       .last_pk)

    def finish_run(self, run_id: int, finished: str, status: str, pages: int, new_articles: int,
                   new_readouts: int, errors: int, error: str | None) -> None:
        with self._transaction():
            self.db["crawl_runs"].update(run_id, {
                "finished": finished, "status": status, "pages": pages,
                "new_articles": new_articles, "new_readouts": new_readouts, "errors": errors,
                "error": error})

    def fail_unfinished_runs(self, finished: str, reason: str) -> int:
        """Close runs left 'running' by a process that died."""
        with self._transaction():
            cur = self.db.execute("UPDATE crawl_runs SET status='failed', finished=?, error=? "
                                  "WHERE status='running'", (finished, reason))
        return cur.rowcount

    def last_run_incomplete(self, source: str) -> bool:
        """Did the source's last crawl fail or die? Then articles may be missing from any list
        page, and the next crawl should page through every list page, not stop at the first
        page it already knows."""
        row = self.db.execute("SELECT status FROM crawl_runs WHERE source = ? "
                              "ORDER BY id DESC LIMIT 1", (source,)).fetchone()
        return bool(row) and row[0] != "ok"

    # -- what is known ------------------------------------------------------------------
    def known_urls(self, source: str) -> dict[str, str | None]:
        """Canonical URLs already archived for a source (articles, copies, dead links)."""
        known: dict[str, str | None] = {}
        for url, published in self.db.execute(
                "SELECT url, published FROM readouts WHERE source = ?", (source,)):
            known[url] = published
        for (url,) in self.db.execute("SELECT url FROM copies WHERE source = ?", (source,)):
            known.setdefault(url, None)
        for (url,) in self.db.execute(
                "SELECT DISTINCT canonical_url FROM captures WHERE source = ? "
                "AND status IN (404, 410)", (source,)):
            known.setdefault(url, None)
        return known

    # -- storing ------------------------------------------------------------------------
    def store(self, items: Iterable[ArticleItem], run_id: int | None = None) -> StoreResult:
        """Store a batch of fetched pages in one transaction."""
        result = StoreResult()
        with self._transaction():
            for item in items:
                self._store_one(item, run_id, result)
        return result

    def _insert(self, table: str, row: dict[str, object]) -> int:
        """One INSERT as a plain prepared statement: sqlite-utils' Table.insert costs about
        35 times more per row (it inspects the table each call), too much at crawl speed."""
        sql = f"INSERT INTO {table}({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
        return int(self.db.execute(sql, list(row.values())).lastrowid)

    def _store_one(self, item: ArticleItem, run_id: int | None, result: StoreResult) -> None:
        """The capture always; then, for a page with text, its place among the articles."""
        content_hash = hashlib.sha256(item.body).hexdigest()
        self.db.execute("INSERT OR IGNORE INTO blobs(hash, size, body) VALUES (?, ?, ?)",
                        (content_hash, len(item.body), zlib.compress(item.body, 6)))
        capture_id = self._insert("captures", {
            "run_id": run_id, "source": item.source, "url": item.url,
            "final_url": item.final_url, "canonical_url": item.canonical_url,
            "fetched_at": item.fetched_at, "status": item.status,
            "headers": json.dumps(item.headers, sort_keys=True), "encoding": item.encoding,
            "content_hash": content_hash})
        result.captures += 1
        if item.status != 200 or not item.text.strip():
            result.failed += 1
            return
        readout_id = self._place(item, result)
        self.db.execute("UPDATE captures SET readout_id = ? WHERE id = ?", (readout_id, capture_id))

    def _place(self, item: ArticleItem, result: StoreResult) -> int:
        """Dedup in three steps: a known URL (unchanged, or a new revision), the same
        normalised text elsewhere (a copy), near-duplicate text (a copy); else a new article."""
        thash = dedup.text_hash(item.text)
        row = self.db.execute("SELECT id, text_hash, revision FROM readouts WHERE url = ?",
                              (item.canonical_url,)).fetchone()
        if row:
            readout_id, old_hash, revision = row
            if old_hash == thash:
                self.db.execute("UPDATE readouts SET last_seen = ? WHERE id = ?",
                                (item.fetched_at, readout_id))
                result.unchanged += 1
            else:
                self._revise(readout_id, revision + 1, item, thash)
                result.revisions += 1
            return int(readout_id)
        copy = self.db.execute("SELECT readout_id FROM copies WHERE url = ?",
                               (item.canonical_url,)).fetchone()
        if copy:
            result.unchanged += 1
            return int(copy[0])
        sig = dedup.signature(item.text)
        original = self._original_of(thash, sig)
        if original:
            readout_id, similarity = original
            if self._published_earlier(item, readout_id):
                self._promote(readout_id, item, thash, sig, similarity)
            else:
                self._insert("copies", {
                    "readout_id": readout_id, "url": item.canonical_url, "source": item.source,
                    "title": item.title, "similarity": round(similarity, 3),
                    "first_seen": item.fetched_at})
            result.copies += 1
            return readout_id
        readout_id = self._insert("readouts", {
            "url": item.canonical_url, "source": item.source, "city": item.city,
            "language": item.language, "first_seen": item.fetched_at, "revision": 1,
            **self._content(item, thash), "last_seen": item.fetched_at})
        self._add_revision(readout_id, 1, item, thash)
        self.near.add(readout_id, sig)
        result.new_articles += 1
        result.new_readouts += int(item.is_readout)
        result.new_ids.append(readout_id)
        return readout_id

    def _original_of(self, thash: str, sig: np.ndarray) -> tuple[int, float] | None:
        """The archived article this text is a copy of, and their similarity."""
        row = self.db.execute("SELECT id FROM readouts WHERE text_hash = ? ORDER BY id LIMIT 1",
                              (thash,)).fetchone()
        return (int(row[0]), 1.0) if row else self.near.find(sig)

    @staticmethod
    def _content(item: ArticleItem, thash: str) -> dict[str, object]:
        """The readouts columns that come from the page itself."""
        return {"title": item.title, "published": item.published,
                "published_utc": _utc(item.published), "is_readout": int(item.is_readout),
                "kind": item.kind, "text": item.text, "markdown": item.markdown,
                "text_hash": thash, "search_title": segment(item.title),
                "search_text": segment(item.text)}

    def _add_revision(self, readout_id: int, number: int, item: ArticleItem, thash: str) -> None:
        self._insert("revisions", {"readout_id": readout_id, "number": number,
                                   "seen_at": item.fetched_at, "title": item.title,
                                   "text": item.text, "text_hash": thash})

    def _published_earlier(self, item: ArticleItem, readout_id: int) -> bool:
        """Is the new page the earlier publication of a text already archived from a reprint?"""
        row = self.db.execute("SELECT published_utc FROM readouts WHERE id = ?",
                              (readout_id,)).fetchone()
        mine = _utc(item.published)
        return bool(mine and row[0] and mine < row[0])

    def _promote(self, readout_id: int, item: ArticleItem, thash: str, sig: np.ndarray,
                 similarity: float) -> None:
        """The original arrived after its reprint: it takes the readout's place (and id, so
        copies and captures stay attached), the reprint becomes a copy, and the revision
        history restarts from the original. Which page is the original never depends on
        crawl order; the reprint's own text stays in its capture."""
        url, source, title, first_seen = self.db.execute(
            "SELECT url, source, title, first_seen FROM readouts WHERE id = ?",
            (readout_id,)).fetchone()
        self._insert("copies", {"readout_id": readout_id, "url": url, "source": source,
                                "title": title, "similarity": round(similarity, 3),
                                "first_seen": first_seen})
        self.db["readouts"].update(readout_id, {
            "url": item.canonical_url, "source": item.source, "city": item.city,
            "language": item.language, "revision": 1, **self._content(item, thash)})
        self.db.execute("DELETE FROM revisions WHERE readout_id = ?", (readout_id,))
        self._add_revision(readout_id, 1, item, thash)
        self.near.add(readout_id, sig)

    def _revise(self, readout_id: int, number: int, item: ArticleItem, thash: str) -> None:
        """The page at a known URL changed: a new revision row; the readout shows it."""
        self._add_revision(readout_id, number, item, thash)
        self.db["readouts"].update(readout_id, {
            "revision": number, "last_seen": item.fetched_at, **self._content(item, thash)})
        self.near.add(readout_id, dedup.signature(item.text))

    # -- digests ------------------------------------------------------------------------
    def record_digest(self, week: str, path: str, written_at: str, readouts: int,
                      sha256: str, late_ids: list[int]) -> None:
        with self._transaction():
            self.db.execute(
                "INSERT INTO digests(week, path, first_written_at, written_at, readouts, sha256) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(week) DO UPDATE SET path=excluded.path, "
                "written_at=excluded.written_at, readouts=excluded.readouts, "
                "sha256=excluded.sha256", (week, path, written_at, written_at, readouts, sha256))
            self.db.conn.executemany("UPDATE readouts SET late_week = ? WHERE id = ? "
                                "AND late_week IS NULL", [(week, i) for i in late_ids])

    def _transaction(self):  # type: ignore[no-untyped-def]
        return _Transaction(self.db)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (autocommit connection)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
