"""Creating and migrating the database. The schema version lives in PRAGMA user_version."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from storage.errors import SchemaError

BUSY_TIMEOUT_MS = 30_000

# Version 1, as released. Never edit an applied migration: append a new one.
V1 = """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY, city TEXT, language TEXT, first_seen TEXT
    );
    CREATE TABLE blobs (
        hash TEXT PRIMARY KEY, size INTEGER NOT NULL, body BLOB NOT NULL
    );
    CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY, source TEXT NOT NULL, started TEXT NOT NULL, finished TEXT,
        status TEXT NOT NULL DEFAULT 'running', pages INTEGER DEFAULT 0,
        new_articles INTEGER DEFAULT 0, new_readouts INTEGER DEFAULT 0,
        errors INTEGER DEFAULT 0, error TEXT
    );
    CREATE INDEX crawl_runs_source ON crawl_runs(source, started);
    CREATE TABLE readouts (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL, city TEXT, language TEXT,
        title TEXT, published TEXT, published_utc TEXT,
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
        is_readout INTEGER NOT NULL DEFAULT 0, kind TEXT,
        text TEXT, markdown TEXT, text_hash TEXT, revision INTEGER NOT NULL DEFAULT 1,
        search_title TEXT, search_text TEXT, late_week TEXT
    );
    CREATE INDEX readouts_published ON readouts(published_utc);
    CREATE INDEX readouts_first_seen ON readouts(first_seen);
    CREATE INDEX readouts_text_hash ON readouts(text_hash);
    CREATE INDEX readouts_source ON readouts(source);
    CREATE TABLE captures (
        id INTEGER PRIMARY KEY, run_id INTEGER, source TEXT NOT NULL,
        url TEXT NOT NULL, final_url TEXT, canonical_url TEXT, fetched_at TEXT NOT NULL,
        status INTEGER, headers TEXT, encoding TEXT,
        content_hash TEXT REFERENCES blobs(hash), readout_id INTEGER REFERENCES readouts(id)
    );
    CREATE INDEX captures_canonical ON captures(canonical_url);
    CREATE INDEX captures_readout ON captures(readout_id);
    CREATE TABLE copies (
        id INTEGER PRIMARY KEY, readout_id INTEGER NOT NULL REFERENCES readouts(id),
        url TEXT NOT NULL UNIQUE, source TEXT NOT NULL, title TEXT,
        similarity REAL NOT NULL, first_seen TEXT NOT NULL
    );
    CREATE INDEX copies_readout ON copies(readout_id);
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY, readout_id INTEGER NOT NULL REFERENCES readouts(id),
        number INTEGER NOT NULL, seen_at TEXT NOT NULL, title TEXT, text TEXT, text_hash TEXT,
        UNIQUE(readout_id, number)
    );
    CREATE INDEX revisions_seen ON revisions(seen_at);
    CREATE TABLE minhashes (
        readout_id INTEGER PRIMARY KEY REFERENCES readouts(id), signature BLOB NOT NULL
    );
    CREATE TABLE lsh_bands (
        band INTEGER NOT NULL, hash INTEGER NOT NULL, readout_id INTEGER NOT NULL
    );
    CREATE INDEX lsh_bands_lookup ON lsh_bands(band, hash);
    CREATE INDEX lsh_bands_readout ON lsh_bands(readout_id);
    CREATE TABLE digests (
        week TEXT PRIMARY KEY, path TEXT NOT NULL, first_written_at TEXT NOT NULL,
        written_at TEXT NOT NULL, readouts INTEGER NOT NULL, sha256 TEXT NOT NULL
    );
    """

# Version 2. Digest cache: each readout's ranked phrases, keyed by its text hash and the
# extractor version, so the 8-week theme baseline is not re-segmented on every digest.
V2 = """
    CREATE TABLE readout_themes (
        readout_id INTEGER PRIMARY KEY REFERENCES readouts(id), text_hash TEXT NOT NULL,
        version INTEGER NOT NULL, phrases TEXT NOT NULL
    );
    """


def _statements(db: sqlite_utils.Database, sql: str) -> None:
    for statement in filter(str.strip, sql.split(";")):
        db.execute(statement)


def _v1(db: sqlite_utils.Database) -> None:
    _statements(db, V1)
    _create_fts(db)


def _v2(db: sqlite_utils.Database) -> None:
    _statements(db, V2)


def _v3(db: sqlite_utils.Database) -> None:
    """LSH bands re-banded (25 x 5, see storage/dedup.py) from the stored signatures, in a
    clustered WITHOUT ROWID table; an index for the per-source dead-link look-up."""
    from storage import dedup

    _statements(db, """
        CREATE TABLE lsh_bands_v2 (
            band INTEGER NOT NULL, hash INTEGER NOT NULL, readout_id INTEGER NOT NULL,
            PRIMARY KEY (band, hash, readout_id)
        ) WITHOUT ROWID;
        DROP TABLE lsh_bands;
        ALTER TABLE lsh_bands_v2 RENAME TO lsh_bands;
        CREATE INDEX lsh_bands_readout ON lsh_bands(readout_id);
        CREATE INDEX captures_source_status ON captures(source, status)
    """)
    for readout_id, blob in db.execute("SELECT readout_id, signature FROM minhashes").fetchall():
        db.conn.executemany("INSERT INTO lsh_bands(band, hash, readout_id) VALUES (?, ?, ?)",
                            [(b, h, readout_id)
                             for b, h in dedup.band_hashes(dedup.from_blob(blob))])


def _v4(db: sqlite_utils.Database) -> None:
    """Search columns re-segmented as CJK bigrams (storage/search.py) instead of jieba words;
    the FTS triggers re-index each row as it is updated."""
    from storage.search import segment

    rows = db.execute("SELECT id, title, text FROM readouts").fetchall()
    db.conn.executemany("UPDATE readouts SET search_title = ?, search_text = ? WHERE id = ?",
                        [(segment(title or ""), segment(text or ""), rid)
                         for rid, title, text in rows])


def _v5(db: sqlite_utils.Database) -> None:
    """MinHash signatures recomputed with the CRC-32 shingle hash (storage/dedup.py), and
    their bands with them: signatures of the old hash would never match new ones."""
    from storage import dedup
    from storage.neardup import NearDupIndex

    index = NearDupIndex(db)
    for readout_id, text in db.execute("SELECT id, text FROM readouts").fetchall():
        index.add(readout_id, dedup.signature(text or ""))


# Each step moves the schema up one version; all pending steps and the version bump
# are applied in one transaction.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating or upgrading) the archive at `path`, in WAL mode with a busy timeout."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        raise SchemaError(f"{path}: not an SQLite database ({exc})") from None
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    migrate(db, path)
    return db


def migrate(db: sqlite_utils.Database, path: Path) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(f"{path}: schema version {version} is newer than this readouts "
                          f"({SCHEMA_VERSION}); upgrade readouts")
    if version == SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for step in MIGRATIONS[version:]:
            step(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _create_fts(db: sqlite_utils.Database) -> None:
    """FTS5 over the segmented (CJK bigram) title and text; sqlite-utils' triggers keep it current."""
    db["readouts"].enable_fts(["search_title", "search_text"], fts_version="FTS5",
                              create_triggers=True, tokenize="unicode61")
