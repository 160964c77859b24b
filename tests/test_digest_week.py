"""A week's digest from a real archive: trends, presider changes, late arrivals, escaping,
determinism and atomic writing. Archives are filled through Archive.store()."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from digest import write
from digest.settings import DigestSettings
from digest.weeks import Week
from storage.archive import Archive
from storage.schema import open_db
from tests.digest_helpers import item, store
from tests.helpers import FRONT_MATTER_KEYS, SECTIONS, headings, section, split_digest

WEEK = Week(2026, 20)          # Monday 2026-05-11 to Sunday 2026-05-17
NOW = datetime(2026, 6, 1, tzinfo=UTC)
FLOOD = ("The meeting pointed out that flood control is the top task of the season and that "
         "flood control duty must be kept day and night.")
BUSINESS = ("The meeting emphasized that the business environment must be improved and that "
            "complaints about the business environment are answered within three days.")


EXTRA_EN = [
    "The meeting studied the renovation of old residential compounds, the supply of vegetables "
    "in spring, the training of village doctors and the repair of rural roads after the rains.",
    "The meeting studied the opening of two new bus lines, the expansion of the municipal "
    "library, the subsidy scheme for kindergarten teachers and the dredging of the canal.",
    "The meeting studied the preparations for the college entrance examination, the summer "
    "electricity supply, the inspection of bridges and the management of street vendors.",
    "The meeting studied the tea harvest, the protection of wetlands along the river, the "
    "registration of migrant workers and the digital archive of the municipal courts.",
    "The meeting studied the relocation of the wholesale market, the heritage survey of old "
    "temples, the water price hearing and the recruitment of community social workers.",
]
EXTRA_ZH = [
    "会议研究了老旧小区改造、春季蔬菜供应、乡村医生培训和雨后农村公路修复工作。",
    "会议研究了新开两条公交线路、市图书馆扩建、幼儿园教师补贴和运河清淤工作。",
    "会议研究了高考组织保障、夏季电力供应、桥梁检测和流动摊贩管理工作。",
    "会议研究了春茶采摘、沿江湿地保护、外来务工人员登记和法院数字档案建设工作。",
    "会议研究了批发市场搬迁、古寺庙文物普查、水价听证和社区工作者招聘工作。",
]


def _day(week: Week, weekday: int, hour: int = 19) -> str:
    day = week.monday().toordinal() + weekday
    return datetime.fromordinal(day).strftime("%Y-%m-%d") + f"T{hour:02d}:00:00+08:00"


def _gem(city: str, week: Week, presider: str, title: str, body: str, n: int) -> dict:
    text = (f"On {datetime.fromisoformat(_day(week, 2)).strftime('%B %-d')}, {presider}, {title}, "
            f"presided over the {n}th executive meeting of the {city} Municipal Government.\n\n"
            f"{body}\n\n{EXTRA_EN[n % len(EXTRA_EN)]}")
    return dict(city=city, language="en", title=f"{city} executive meeting {n}", text=text,
                published=_day(week, 2), kind="government_executive",
                url=f"http://{city.lower()}.example/gem/{n}.htm")


def _zh_gem(week: Week, title_name: str, body: str, n: int) -> dict:
    date = datetime.fromisoformat(_day(week, 3))
    text = (f"{date.month}月{date.day}日，{title_name}主持召开市政府第{n}次常务会议。\n\n{body}\n\n"
            f"{EXTRA_ZH[n % len(EXTRA_ZH)]}")
    return dict(city="青川", language="zh", title=f"市政府第{n}次常务会议", text=text,
                published=_day(week, 3), kind="government_executive",
                url=f"http://qingchuan.example/gem/{n}.html")


def _settings(tmp: Path, **extra) -> DigestSettings:  # type: ignore[no-untyped-def]
    return DigestSettings(output_dir=tmp / "digests", timezone="Asia/Shanghai",
                          sources=("src",), **extra)


def _store(archive: Archive, docs: list[dict], fetched: str | None = None) -> None:
    for d in docs:
        store(archive, [item("src", d["city"], d["language"], d["url"], d["title"], d["text"],
                             d["published"], fetched, d["kind"])])


@pytest.fixture(scope="module")
def archive_digest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Weeks 16–19 about flood control under Mayor Li; week 20 about business under a new
    acting mayor; the same in Chinese."""
    tmp = tmp_path_factory.mktemp("archive")
    db = open_db(tmp / "readouts.db")
    archive = Archive(db)
    docs = []
    for i, n in enumerate(range(16, 20)):
        week = WEEK.shift(n - 20)
        docs.append(_gem("Riverton", week, "Li Wentao", "Mayor of Riverton", FLOOD, 50 + i))
        docs.append(_zh_gem(week, "市长李文涛", "会议指出，防汛抗旱是当前头等大事，防汛抗旱值班值守要日夜坚守。", 50 + i))
    docs.append(_gem("Riverton", WEEK, "Zheng Haining", "Acting Mayor of Riverton", BUSINESS, 54))
    docs.append(_zh_gem(WEEK, "代市长郑海宁", "会议强调，要持续优化营商环境，营商环境投诉三日内办结。", 54))
    _store(archive, docs)
    settings = _settings(tmp, watch_terms=("flood control", "营商环境"))
    path = write.write_week(db, WEEK, settings, NOW)
    return tmp, path.read_text(encoding="utf-8")


def test_the_digest_has_front_matter_and_six_sections(archive_digest: tuple[Path, str]) -> None:
    _, text = archive_digest
    fm, body = split_digest(text)
    assert list(fm) == FRONT_MATTER_KEYS
    assert (fm["week"], fm["readouts"], fm["period_start"]) == ("2026-W20", 2, "2026-05-11")
    assert headings(body, 2) == SECTIONS


def test_a_new_mayor_is_reported_in_the_summary_and_the_entry(
        archive_digest: tuple[Path, str]) -> None:
    _, text = archive_digest
    body = split_digest(text)[1]
    summary = section(body, "Summary")
    assert "new presider of the government executive meeting: Zheng Haining" in summary
    assert "after Li Wentao" in summary
    assert "郑海宁 \\(代市长\\), after 李文涛 \\(市长\\)" in summary
    entries = section(body, "New readouts")
    assert entries.count("- Presider change:") == 2


def test_a_theme_present_for_weeks_and_absent_now_is_fading(
        archive_digest: tuple[Path, str]) -> None:
    _, text = archive_digest
    themes_md = section(split_digest(text)[1], "Themes")
    fading = themes_md.split("Fading (not mentioned this week):", 1)[1].split("\n\n")[1]
    rows = {line.split(" | ")[0].strip("| ") for line in fading.splitlines()[2:]}
    assert {"flood control", "防汛抗旱"} <= rows
    assert "| flood control | 0 | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 0 |" in themes_md  # watched term


def test_themes_and_comparison_are_listed_per_readout(archive_digest: tuple[Path, str]) -> None:
    _, text = archive_digest
    entries = section(split_digest(text)[1], "New readouts")
    assert "- Themes: business environment" in entries
    assert "Closest earlier Riverton readouts" in entries
    assert "- Themes of the earlier readouts missing here: flood control" in entries
    assert "- Themes of the earlier readouts missing here: 防汛抗旱" in entries
    assert "- Themes none of these have: business environment" in entries


def test_regenerating_with_an_unchanged_database_is_byte_identical(
        archive_digest: tuple[Path, str]) -> None:
    tmp, first = archive_digest
    db = open_db(tmp / "readouts.db")
    path = write.write_week(db, WEEK, _settings(tmp, watch_terms=("flood control", "营商环境")),
                            datetime(2027, 1, 1, tzinfo=UTC))
    assert path.read_text(encoding="utf-8") == first


def test_a_late_readout_goes_to_the_next_digest_once(tmp_path: Path) -> None:
    db = open_db(tmp_path / "readouts.db")
    archive = Archive(db)
    settings = _settings(tmp_path)
    _store(archive, [_gem("Riverton", WEEK, "Li Wentao", "Mayor of Riverton", BUSINESS, 60)])
    first = write.write_week(db, WEEK, settings, NOW).read_bytes()
    late = _gem("Riverton", WEEK, "Li Wentao", "Mayor of Riverton", FLOOD, 61)
    _store(archive, [late], fetched="2026-06-02T00:00:00+00:00")
    later = datetime(2026, 6, 3, tzinfo=UTC)
    assert write.write_week(db, WEEK, settings, later).read_bytes() == first
    next_week = write.write_week(db, WEEK.shift(1), settings, later).read_text(encoding="utf-8")
    fm, body = split_digest(next_week)
    assert fm["late"] == 1 and "executive meeting 61" in section(body, "Late arrivals")
    assert write.write_week(db, WEEK.shift(1), settings, later).read_text("utf-8") == next_week
    after = write.write_week(db, WEEK.shift(2), settings, later).read_text(encoding="utf-8")
    assert split_digest(after)[0]["late"] == 0


HOSTILE_TITLE = "# Injected\n[click](javascript:alert(1)) <script>alert(1)</script>"
HOSTILE_TEXT = ("---\nweek: hacked\nreadouts: 999\n---\n\n## Summary\n\n<img src=x onerror=alert(1)>"
                "\n\nOn May 13, Li Wentao, Mayor of Riverton, presided over the meeting.\n\n"
                "The meeting pointed out that [a link](javascript:evil()) | pipe | and `code` "
                "and ![img](http://x/y.png) are\n# not headings\n--- and business environment.")


def test_hostile_crawled_text_changes_nothing_in_the_structure(tmp_path: Path) -> None:
    db = open_db(tmp_path / "readouts.db")
    archive = Archive(db)
    doc = _gem("Riverton", WEEK, "Li Wentao", "Mayor of Riverton", BUSINESS, 70)
    doc.update(title=HOSTILE_TITLE, text=HOSTILE_TEXT + "\n\n" + doc["text"])
    doc2 = _gem("Riverton", WEEK, "Li Wentao", "Mayor of Riverton", FLOOD, 71)
    doc2.update(city="<b>Evil</b> | city\n## Crawl health", url="javascript:alert(1)",
                title="---", text=doc2["text"] + "\n\n---\nx: y\n---")
    _store(archive, [doc, doc2])
    text = write.write_week(db, WEEK, _settings(tmp_path), NOW).read_text(encoding="utf-8")
    fm, body = split_digest(text)
    assert list(fm) == FRONT_MATTER_KEYS and fm["week"] == "2026-W20" and fm["readouts"] == 2
    assert headings(body, 1) == ["Readouts digest 2026-W20"]
    assert headings(body, 2) == SECTIONS
    assert len(headings(section(body, "New readouts"), 4)) == 2
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    inline = [c for t in tokens if t.children for c in t.children]
    assert not [t for t in tokens + inline if t.type in ("html_block", "html_inline")]
    assert not [t for t in tokens if t.type == "hr"]
    links = [c.attrs.get("href", "") for c in inline if c.type == "link_open"]
    assert links and all(str(h).startswith("http") for h in links)
    assert not [c for c in inline if c.type == "image"]


def test_a_crash_mid_write_leaves_the_previous_file(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "2026-W20.md"
    target.write_text("previous\n", encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        assert Path(src).read_text(encoding="utf-8") == "new\n"  # the temp file was written
        raise RuntimeError("crash after the temporary file was written")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(RuntimeError):
        write.atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-W20.md"]


def test_a_process_killed_mid_write_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "2026-W20.md"
    target.write_text("previous\n", encoding="utf-8")
    script = ("import os, signal, sys; from pathlib import Path; from digest import write\n"
              "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
              "write.atomic_write(Path(sys.argv[1]), 'new\\n' * 100000)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(target)], timeout=60)
    assert proc.returncode == -9
    assert target.read_text(encoding="utf-8") == "previous\n"
    leftovers = list(tmp_path.glob(".*.tmp"))
    assert len(leftovers) == 1
    assert write.remove_stale_temp_files(tmp_path) == []  # too fresh: maybe a live writer's
    os.utime(leftovers[0], (0, 0))
    assert write.remove_stale_temp_files(tmp_path) == leftovers
    assert not leftovers[0].exists() and target.exists()


def test_crawl_health_says_since_when_a_source_fails(tmp_path: Path) -> None:
    db = open_db(tmp_path / "readouts.db")
    archive = Archive(db)
    ok = _gem("Riverton", WEEK, "Li Wentao", "Mayor of Riverton", BUSINESS, 80)
    _store(archive, [ok])
    for day in (3, 5):
        run = archive.start_run("broken", "Nowhere", "en", _day(WEEK, day))
        archive.finish_run(run, _day(WEEK, day), "failed", 1, 0, 0, 1,
                           "HTTP 503: http://nowhere.example/list.html")
    text = write.write_week(db, WEEK, _settings(tmp_path), NOW).read_text(encoding="utf-8")
    fm, body = split_digest(text)
    assert (fm["sources_ok"], fm["sources_failed"]) == (["src"], ["broken"])
    health = section(body, "Crawl health")
    assert f"| broken | failing since {_day(WEEK, 3)} | 2 |" in health.replace("\\", "")
    assert "HTTP 503" in health
