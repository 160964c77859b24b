"""Deduplication on labelled pairs: reprints are copies, different meetings are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import dedup
from storage.archive import Archive
from storage.neardup import NearDupIndex
from storage.schema import open_db
from tests.fixtures.storage.items import item, labelled, pair_item

PAIRS = labelled()["pairs"]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p['a']}~{p['b']}")
def test_labelled_pair_is_classified_as_labelled(tmp_path: Path, pair: dict) -> None:  # type: ignore[type-arg]
    archive = Archive(open_db(tmp_path / "a.db"))
    archive.store([pair_item(pair["a"], "http://first.example/a.html", "first")])
    result = archive.store([pair_item(pair["b"], "http://second.example/b.html", "second")])
    copies = archive.db.execute("SELECT url, source, similarity FROM copies").fetchall()
    if pair["copy"]:
        assert result.copies == 1 and result.new_articles == 0, pair["why"]
        (url, source, similarity), = copies
        assert (url, source) == ("http://second.example/b.html", "second")
        assert similarity >= dedup.COPY_THRESHOLD
        assert archive.db["readouts"].count == 1
    else:
        assert copies == [] and result.new_articles == 1, pair["why"]
        assert archive.db["readouts"].count == 2


def test_threshold_lies_between_the_labelled_classes_with_margin() -> None:
    texts = labelled()["texts"]
    sims = {True: [], False: []}  # type: dict[bool, list[float]]
    for pair in PAIRS:
        a, b = (dedup.signature(texts[k]["text"]) for k in (pair["a"], pair["b"]))
        sims[pair["copy"]].append(dedup.similarity(a, b))
    assert len(sims[True]) >= 8 and len(sims[False]) >= 10
    assert max(sims[False]) + 0.1 <= dedup.COPY_THRESHOLD <= min(sims[True]) - 0.1
    assert dedup.candidate_probability(dedup.COPY_THRESHOLD) > 0.98


def test_same_normalised_text_at_another_url_is_an_exact_copy(tmp_path: Path) -> None:
    archive = Archive(open_db(tmp_path / "a.db"))
    text = "11月2日，市委常委会召开会议，研究部署今冬明春供暖保障工作。\n\n会议强调，要确保群众温暖过冬。"
    archive.store([item("http://a.example/1.html", text)])
    spaced = text.replace("，", ", ").replace("\n\n", "\n") + "  "
    result = archive.store([item("http://b.example/2.html", spaced, source="other")])
    assert result.copies == 1
    assert archive.db.execute("SELECT similarity FROM copies").fetchone()[0] == 1.0


def test_original_archived_after_its_reprint_becomes_the_readout(tmp_path: Path) -> None:
    archive = Archive(open_db(tmp_path / "a.db"))
    reprint = pair_item("zh-psc-0928-yungang", "http://yungang.example/r.html", "yungang-zh")
    original = pair_item("zh-psc-0928", "http://jiangzhou.example/o.html", "jiangzhou-zh")
    first = archive.store([reprint]).new_ids[0]
    assert archive.store([original]).copies == 1
    row = archive.db["readouts"].get(first)
    assert (row["url"], row["source"], row["title"]) == (original.canonical_url,
                                                         "jiangzhou-zh", original.title)
    assert [(c["url"], c["readout_id"]) for c in archive.db["copies"].rows] == [
        (reprint.canonical_url, first)]
    assert archive.db["revisions"].count == 1
    # The reprint's capture still points at the readout it is a copy of.
    assert {c["readout_id"] for c in archive.db["captures"].rows} == {first}


def test_candidate_lookup_probes_the_band_index(tmp_path: Path) -> None:
    """Adding a readout never scans the archive: every band probe is an index search."""
    db = open_db(tmp_path / "a.db")
    sig = dedup.signature("会议研究部署防汛工作")
    sql, params = NearDupIndex.candidates_query(sig)
    plan = " ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "SEARCH lsh_bands USING PRIMARY KEY (band=? AND hash=?)" in plan
    assert "SCAN lsh_bands" not in plan and "SCAN minhashes" not in plan
    assert NearDupIndex(db).find(sig) is None
