"""The bundled demo, end to end through the real CLI: serve, crawl, store, digest."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from service.demo import content
from tests.helpers import FRONT_MATTER_KEYS, SECTIONS, headings, run_cli, section, split_digest


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "out"
    proc = run_cli("demo", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def _digests(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((out / "digests").glob("*-W*.md"))}


def test_demo_prints_paths_and_writes_ten_weekly_digests(demo: tuple[Path, str]) -> None:
    out, stdout = demo
    printed = [Path(line) for line in stdout.splitlines() if line.strip()]
    assert out / "digests" / "index.md" in printed
    files = _digests(out)
    assert sorted(files) == [f"2026-W{n}.md" for n in range(38, 48)]
    assert all(out / "digests" / name in printed for name in files)
    index = (out / "digests" / "index.md").read_text(encoding="utf-8")
    for name in files:
        assert f"({name})" in index


def test_every_digest_has_front_matter_and_the_six_sections(demo: tuple[Path, str]) -> None:
    out, _ = demo
    for name, text in _digests(out).items():
        fm, body = split_digest(text)
        assert list(fm) == FRONT_MATTER_KEYS, name
        assert fm["week"] == name.removesuffix(".md")
        assert headings(body, 2) == SECTIONS, name
        listed = headings(section(body, "New readouts"), 4)
        assert fm["readouts"] == len(listed), name


def test_non_readouts_are_archived_but_never_listed(demo: tuple[Path, str]) -> None:
    out, _ = demo
    digests = "\n".join(_digests(out).values())
    news = [a for src in ("jiangzhou-zh", "yungang-zh", "jiangzhou-en")
            for a in content.load(src) if a.type == "news"]
    assert len(news) >= 20
    db = sqlite3.connect(out / "readouts.db")
    archived = {r[0] for r in db.execute("SELECT title FROM readouts WHERE is_readout = 0")}
    for article in news:
        assert article.title in archived, article.title
        assert article.title not in digests, article.title


def test_reprints_revision_and_late_arrival_show_in_the_digests(demo: tuple[Path, str]) -> None:
    out, _ = demo
    db = sqlite3.connect(out / "readouts.db")
    assert db.execute("SELECT COUNT(*) FROM copies").fetchone()[0] >= 3
    # every original stays on its own city's portal: the reprints are the copies
    sources = {r[0] for r in db.execute("SELECT source FROM copies")}
    assert sources == {"yungang-zh"}
    digests = _digests(out)
    assert sum(text.count("- Also published at:") for text in digests.values()) >= 3
    updated = [n for n, t in digests.items() if split_digest(t)[0]["updated"] > 0]
    assert updated, "the edited article must show as an updated readout"
    late = [n for n, t in digests.items() if split_digest(t)[0]["late"] > 0]
    assert late, "the readout put online late must show under Late arrivals"
    assert "revision 2" in section(split_digest(digests[updated[0]])[1], "Updated readouts")


def test_running_the_demo_again_adds_nothing_and_changes_no_digest(demo: tuple[Path, str]) -> None:
    out, _ = demo
    db_path = out / "readouts.db"

    def counts() -> tuple[int, ...]:
        db = sqlite3.connect(db_path)
        return tuple(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("readouts", "copies", "revisions"))

    before = counts()
    hashes = {n: hashlib.sha256(t.encode()).hexdigest() for n, t in _digests(out).items()}
    proc = run_cli("demo", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert counts() == before
    assert {n: hashlib.sha256(t.encode()).hexdigest() for n, t in _digests(out).items()} == hashes
