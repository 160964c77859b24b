"""The database file: created and migrated by code, WAL with a busy timeout."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

from storage import dedup, schema
from storage.archive import Archive
from storage.errors import SchemaError
from storage.schema import open_db
from storage.search import search
from tests.fixtures.storage.items import item, pair_item


def _v1_database(path: Path) -> None:
    """A database as readouts 0.1 wrote it: schema version 1, with articles in it."""
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    db.execute("BEGIN")
    schema.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("COMMIT")
    archive = Archive(db)
    run = archive.start_run("city-zh", "Jiangzhou", "zh", "2026-11-02T04:00:00+00:00")
    archive.store([pair_item("zh-psc-0915", "http://a.example/0915.html", "city-zh"),
                   pair_item("zh-psc-0922", "http://a.example/0922.html", "city-zh"),
                   pair_item("zh-psc-0928", "http://a.example/0928.html", "city-zh")], run)
    archive.store([pair_item("zh-psc-0928-yungang", "http://b.example/r.html", "other")], run)
    db.close()


def test_new_database_is_current_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    db = open_db(tmp_path / "new" / "readouts.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == schema.BUSY_TIMEOUT_MS
    assert {"sources", "captures", "blobs", "readouts", "copies", "revisions", "crawl_runs",
            "digests", "minhashes", "lsh_bands", "readouts_fts"} <= set(db.table_names())


def test_version_1_database_is_upgraded_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "readouts.db"
    _v1_database(path)
    before = sqlite3.connect(path)
    counts = {t: before.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("readouts", "captures", "blobs", "copies", "revisions", "minhashes")}
    before.close()
    assert counts["readouts"] == 3 and counts["copies"] == 1

    db = open_db(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert {t: db[t].count for t in counts} == counts
    # The bands were rebuilt from the stored signatures, one row per band and article.
    assert db["lsh_bands"].count == counts["minhashes"] * dedup.BANDS
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Search and near-duplicate detection work on the upgraded archive.
    assert search(db, "秋汛")[0].url == "http://a.example/0915.html"
    result = Archive(db).store([pair_item("zh-psc-0915-reprint", "http://c.example/r.html", "c")])
    assert result.copies == 1


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "readouts.db"
    _v1_database(path)

    def broken(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk full")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, broken])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    with pytest.raises(RuntimeError, match="disk full"):
        open_db(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables and "readout_themes" not in tables
    assert db.execute("SELECT COUNT(*) FROM readouts").fetchone()[0] == 3


def test_a_database_from_a_newer_readouts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "readouts.db"
    open_db(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(SchemaError, match="newer than this readouts"):
        open_db(path)


def test_readers_read_and_a_second_writer_waits_while_a_crawl_writes(tmp_path: Path) -> None:
    path = tmp_path / "readouts.db"
    crawl = Archive(open_db(path))
    crawl.store([item("http://a.example/1.html", "第一篇：会议研究部署防汛工作。")])
    crawl.db.execute("BEGIN IMMEDIATE")           # a crawl batch in the middle of its write
    crawl.db.execute("UPDATE readouts SET last_seen = 'x'")

    reader = open_db(path)                        # digest or status, in another connection
    assert reader["readouts"].count == 1
    assert reader.execute("SELECT last_seen FROM readouts").fetchone()[0] != "x"

    writer = Archive(open_db(path))
    done = threading.Event()
    outcome: list[object] = []

    def write() -> None:
        try:
            outcome.append(writer.store([item("http://a.example/2.html", "第二篇：会议研究供暖。")]))
        except Exception as exc:  # reported by the assert below
            outcome.append(exc)
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert not done.wait(0.5)                     # it waits on the lock instead of failing
    crawl.db.execute("COMMIT")
    thread.join(60)
    assert done.is_set() and not isinstance(outcome[0], Exception), outcome
    assert reader["readouts"].count == 2
    assert reader.execute("SELECT COUNT(*) FROM readouts WHERE last_seen = 'x'").fetchone()[0] == 1
