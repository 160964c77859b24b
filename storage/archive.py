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

import sqlite_utils

from crawler.items import ArticleItem
from storage import dedup
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

    # -- crawl runs -------------------------------------------------------------------
    def start_run(self, source: str, city: str, language: str, started: str) -> int:
        with self._transaction():
            self.db.execute("INSERT OR IGNORE INTO sources(name, city, language, first_seen) "
                            "VALUES (?, ?, ?, ?)", (source, city, language, started))
            cur = self.db.execute("INSERT INTO crawl_runs(source, started) VALUES (?, ?)",
                                  (source, started))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, finished: str, status: str, pages: int, new_articles: int,
                   new_readouts: int, errors: int, error: str | None) -> None:
        with self._transaction():
            self.db.execute(
                "UPDATE crawl_runs SET finished=?, status=?, pages=?, new_articles=?, "
                "new_readouts=?, errors=?, error=? WHERE id=?",
                (finished, status, pages, new_articles, new_readouts, errors, error, run_id))

    def fail_unfinished_runs(self, finished: str, reason: str) -> int:
        """Close runs left 'running' by a process that died."""
        with self._transaction():
            cur = self.db.execute("UPDATE crawl_runs SET status='failed', finished=?, error=? "
                                  "WHERE status='running'", (finished, reason))
        return cur.rowcount

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

    def _store_one(self, item: ArticleItem, run_id: int | None, result: StoreResult) -> None:
        content_hash = hashlib.sha256(item.body).hexdigest()
        self.db.execute("INSERT OR IGNORE INTO blobs(hash, size, body) VALUES (?, ?, ?)",
                        (content_hash, len(item.body), zlib.compress(item.body, 6)))
        capture_id = self.db.execute(
            "INSERT INTO captures(run_id, source, url, final_url, canonical_url, fetched_at, "
            "status, headers, encoding, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (run_id, item.source, item.url, item.final_url, item.canonical_url, item.fetched_at,
             item.status, json.dumps(item.headers, sort_keys=True), item.encoding,
             content_hash)).lastrowid
        result.captures += 1
        if item.status != 200 or not item.text.strip():
            result.failed += 1
            return
        readout_id = self._place(item, result)
        self.db.execute("UPDATE captures SET readout_id = ? WHERE id = ?", (readout_id, capture_id))

    def _place(self, item: ArticleItem, result: StoreResult) -> int:
        """Decide whether the page is a known article, a revision, a copy or a new article."""
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
        original = self.db.execute(
            "SELECT id FROM readouts WHERE text_hash = ? ORDER BY id LIMIT 1", (thash,)).fetchone()
        sig = dedup.signature(item.text)
        similarity = 1.0
        if not original:
            original, similarity = self._near_duplicate(sig)
        if original:
            if self._published_earlier(item, int(original[0])):
                self._promote(int(original[0]), item, thash, sig, similarity)
            else:
                self.db.execute("INSERT INTO copies(readout_id, url, source, title, similarity, "
                                "first_seen) VALUES (?,?,?,?,?,?)",
                                (original[0], item.canonical_url, item.source, item.title,
                                 round(similarity, 3), item.fetched_at))
            result.copies += 1
            return int(original[0])
        readout_id = self.db.execute(
            "INSERT INTO readouts(url, source, city, language, title, published, published_utc,"
            " first_seen, last_seen, is_readout, kind, text, markdown, text_hash, revision,"
            " search_title, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?)",
            (item.canonical_url, item.source, item.city, item.language, item.title,
             item.published, _utc(item.published), item.fetched_at, item.fetched_at,
             int(item.is_readout), item.kind, item.text, item.markdown, thash,
             segment(item.title), segment(item.text))).lastrowid
        self.db.execute("INSERT INTO revisions(readout_id, number, seen_at, title, text, text_hash)"
                        " VALUES (?, 1, ?, ?, ?, ?)",
                        (readout_id, item.fetched_at, item.title, item.text, thash))
        self._index_signature(int(readout_id), sig)
        result.new_articles += 1
        result.new_readouts += int(item.is_readout)
        result.new_ids.append(int(readout_id))
        return int(readout_id)

    def _published_earlier(self, item: ArticleItem, readout_id: int) -> bool:
        """Is the new page the earlier publication of a text already archived from a reprint?"""
        row = self.db.execute("SELECT published_utc FROM readouts WHERE id = ?",
                              (readout_id,)).fetchone()
        mine = _utc(item.published)
        return bool(mine and row[0] and mine < row[0])

    def _promote(self, readout_id: int, item: ArticleItem, thash: str, sig,  # type: ignore[no-untyped-def]
                 similarity: float) -> None:
        """The original arrived after its reprint: it takes the readout's place (and id), the
        reprint becomes a copy. Which page is the original never depends on crawl order."""
        old = self.db.execute("SELECT url, source, title, first_seen FROM readouts WHERE id = ?",
                              (readout_id,)).fetchone()
        self.db.execute("INSERT INTO copies(readout_id, url, source, title, similarity, first_seen)"
                        " VALUES (?,?,?,?,?,?)",
                        (readout_id, old[0], old[1], old[2], round(similarity, 3), old[3]))
        self.db.execute(
            "UPDATE readouts SET url=?, source=?, city=?, language=?, title=?, published=?, "
            "published_utc=?, is_readout=?, kind=?, text=?, markdown=?, text_hash=?, revision=1, "
            "search_title=?, search_text=? WHERE id=?",
            (item.canonical_url, item.source, item.city, item.language, item.title,
             item.published, _utc(item.published), int(item.is_readout), item.kind, item.text,
             item.markdown, thash, segment(item.title), segment(item.text), readout_id))
        self.db.execute("DELETE FROM revisions WHERE readout_id = ?", (readout_id,))
        self.db.execute("INSERT INTO revisions(readout_id, number, seen_at, title, text, text_hash)"
                        " VALUES (?, 1, ?, ?, ?, ?)",
                        (readout_id, item.fetched_at, item.title, item.text, thash))
        self._index_signature(readout_id, sig)

    def _near_duplicate(self, sig) -> tuple[tuple[int] | None, float]:  # type: ignore[no-untyped-def]
        bands = dedup.band_hashes(sig)
        where = " OR ".join("(band = ? AND hash = ?)" for _ in bands)
        params = [v for pair in bands for v in pair]
        candidates = [r[0] for r in self.db.execute(
            f"SELECT DISTINCT readout_id FROM lsh_bands WHERE {where}", params)]
        best, best_sim = None, 0.0
        for cid in sorted(candidates):
            blob = self.db.execute("SELECT signature FROM minhashes WHERE readout_id = ?",
                                   (cid,)).fetchone()
            sim = dedup.similarity(sig, dedup.from_blob(blob[0])) if blob else 0.0
            if sim > best_sim:
                best, best_sim = cid, sim
        if best is not None and best_sim >= dedup.COPY_THRESHOLD:
            return (best,), best_sim
        return None, 0.0

    def _index_signature(self, readout_id: int, sig) -> None:  # type: ignore[no-untyped-def]
        self.db.execute("INSERT OR REPLACE INTO minhashes(readout_id, signature) VALUES (?, ?)",
                        (readout_id, dedup.to_blob(sig)))
        self.db.execute("DELETE FROM lsh_bands WHERE readout_id = ?", (readout_id,))
        self.db.conn.executemany("INSERT INTO lsh_bands(band, hash, readout_id) VALUES (?, ?, ?)",
                            [(b, h, readout_id) for b, h in dedup.band_hashes(sig)])

    def _revise(self, readout_id: int, number: int, item: ArticleItem, thash: str) -> None:
        self.db.execute("INSERT INTO revisions(readout_id, number, seen_at, title, text, text_hash)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (readout_id, number, item.fetched_at, item.title, item.text, thash))
        self.db.execute(
            "UPDATE readouts SET title=?, text=?, markdown=?, text_hash=?, revision=?, last_seen=?,"
            " is_readout=?, kind=?, search_title=?, search_text=? WHERE id=?",
            (item.title, item.text, item.markdown, thash, number, item.fetched_at,
             int(item.is_readout), item.kind, segment(item.title), segment(item.text), readout_id))
        self._index_signature(readout_id, dedup.signature(item.text))

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
