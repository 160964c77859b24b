"""Reading one readout: meeting facts, themes, similarity, references (no archive needed)."""

from __future__ import annotations

from datetime import date

import pytest

from digest import compare, parse, references, themes
from tests.digest_helpers import FIXTURES, Fixture, load

ZH, EN = load("zh"), load("en")
SAMPLE = (FIXTURES.parents[2] / "digest" / "reference" /
          "chongqing-2022-11-01-standing-committee.en.txt").read_text(encoding="utf-8")


def _published(f: Fixture) -> str:
    day, clock, offset = f.meta["published"].split()
    return f"{day}T{clock}:00{offset}"


def test_there_are_ten_fixtures_per_language_with_the_special_cases() -> None:
    assert len(ZH) >= 10 and len(EN) >= 10
    for fixtures in (ZH, EN):
        assert any(not f.meta["expect_presider"] for f in fixtures)
        assert any("two-meetings" in f.name for f in fixtures)
        assert any(f.meta["published"].startswith("2027-01") and
                   f.meta["expect_date"].startswith("2026-12") for f in fixtures)
        assert len({f.meta["city"] for f in fixtures}) == len(fixtures)
        assert {f.meta["kind"] for f in fixtures} >= {"party_standing_committee",
                                                       "government_executive",
                                                       "congress_standing_committee",
                                                       "other_meeting"}


@pytest.mark.parametrize("fixture", ZH + EN, ids=lambda f: f"{f.language}/{f.name}")
def test_presider_date_agenda_and_bodies_are_read(fixture: Fixture) -> None:
    meeting = parse.parse(fixture.text, fixture.language, _published(fixture))
    assert meeting.presider == (fixture.meta["expect_presider"] or None)
    assert meeting.presider_title == (fixture.meta["expect_title"] or None)
    assert meeting.meeting_date == date.fromisoformat(fixture.meta["expect_date"])
    assert [item.verb for item in meeting.agenda] == fixture.expected_list("expect_agenda")
    assert all(item.gist and len(item.gist) <= 160 for item in meeting.agenda)
    assert meeting.bodies == fixture.expected_list("expect_bodies")


def test_agenda_gist_is_the_first_sentence_of_the_item() -> None:
    zh = next(f for f in ZH if f.name.startswith("01-"))
    items = parse.parse(zh.text, "zh", _published(zh)).agenda
    assert items[1].gist == "全市安全生产形势分析汇报。"
    en = next(f for f in EN if f.name.startswith("01-"))
    items = parse.parse(en.text, "en", _published(en)).agenda
    assert items[1].gist == "a report on the work safety situation in the city."


def test_the_sample_presider_and_agenda() -> None:
    meeting = parse.parse(SAMPLE, "en", "2022-11-02T09:00:00+08:00")
    assert (meeting.presider, meeting.presider_title) == (
        "Chen Miner", "Secretary of the Municipal Party Committee")
    assert meeting.meeting_date == date(2022, 11, 1)
    assert [i.verb for i in meeting.agenda][:4] == ["pointed_out", "pointed_out", "emphasized",
                                                     "listened"]


def test_themes_are_phrases_not_single_words_nor_boilerplate() -> None:
    sample = themes.themes(SAMPLE, "en")
    for phrase in ("rural revitalization", "dynamic clearing", "common prosperity",
                   "epidemic prevention", "20th national congress"):
        assert phrase in sample, sample
    assert not any(t.startswith("th ") for t in sample)
    all_zh = [t for f in ZH for t in themes.themes(f.text, "zh")]
    all_en = [t for f in EN for t in themes.themes(f.text, "en")]
    assert all(len(t) >= 3 for t in all_zh)  # 3: set phrases such as 碳达峰
    assert all(" " in t for t in all_en)
    for noise in ("情况汇报", "主持会议", "市委书记", "人大常委会", "今年以来"):
        assert noise not in all_zh
    assert "共同富裕" in themes.themes(ZH[3].text, "zh")
    swanlake = themes.themes(EN[9].text, "en")
    assert "new energy vehicle" in swanlake and "energy vehicle" not in swanlake
    assert not any(name in t for t in all_en for name in ("guo limin", "qian lixin"))


def test_watched_terms_join_the_themes_when_mentioned() -> None:
    found = themes.themes(ZH[0].text, "zh", ("春耕备耕", "港口物流"))
    assert "春耕备耕" in found and "港口物流" not in found


def test_a_rewritten_sample_is_closer_to_the_sample_than_economic_news() -> None:
    rewritten = (FIXTURES / "compare" / "sample-rewritten.txt").read_text(encoding="utf-8")
    news = (FIXTURES / "compare" / "unrelated-economic-news.txt").read_text(encoding="utf-8")
    close, far = compare.similarities(SAMPLE, [rewritten, news], "en")
    assert 0 <= far < close <= 1
    assert close > 2 * far


def test_references_are_the_bundled_sample_and_every_txt_md_html_in_folders(tmp_path) -> None:
    (tmp_path / "a.txt").write_text(ZH[0].text, encoding="utf-8")
    (tmp_path / "b.md").write_text("# Heading\n\n" + EN[0].text, encoding="utf-8")
    (tmp_path / "c.html").write_text(
        f"<html><body><article><h1>T</h1><p>{EN[1].text}</p></article></body></html>",
        encoding="utf-8")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    refs = references.load((tmp_path, tmp_path / "missing"))
    assert [r.name for r in refs] == ["chongqing-2022-11-01-standing-committee.en.txt",
                                      "a.txt", "b.md", "c.html"]
    assert [r.language for r in refs] == ["en", "zh", "en", "en"]
    assert "Harborview" in refs[3].text


def test_digest_never_imports_crawler_or_service() -> None:
    import ast

    for path in (FIXTURES.parents[2] / "digest").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in names if m.split(".")[0] in ("crawler", "service")], path.name
