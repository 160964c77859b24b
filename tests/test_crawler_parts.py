"""The crawler's parts on their own: source validation, dates, links, classification, extraction."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.classify import classify
from crawler.dates import date_from_url, parse_date_text
from crawler.extract import extract, parse_html
from crawler.links import article_links, listed, next_page
from crawler.middlewares import retry_after
from crawler.settings import MAX_RESPONSE_BYTES, scrapy_settings
from crawler.sources import SourceError, parse_source, parse_sources
from service.demo import content
from tests.fixtures.crawler.portal import en_article_page, zh_article_page

SH = ZoneInfo("Asia/Shanghai")
BASE = {"name": "cq", "city": "Chongqing", "language": "zh", "start_urls": ["https://www.cq.gov.cn/a/"]}


@pytest.mark.parametrize(("extra", "key"), [
    ({"folow": "x"}, "folow"),
    ({"max_pages": "3"}, "max_pages"),
    ({"max_pages": 0}, "max_pages"),
    ({"obey_robots": "yes"}, "obey_robots"),
    ({"download_delay": -1}, "download_delay"),
    ({"download_timeout": 0}, "download_timeout"),
    ({"max_age_days": -2}, "max_age_days"),
    ({"follow": "(unclosed"}, "follow"),
    ({"include": ["ok", "[bad"]}, "include"),
    ({"exclude": "not a list"}, "exclude"),
    ({"title": "h1[[["}, "title"),
    ({"body": "div..x"}, "body"),
    ({"next_page": "re:index_\\d+"}, "next_page"),
    ({"next_page": "a.next >"}, "next_page"),
    ({"encoding": "klingon"}, "encoding"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"language": "fr"}, "language"),
    ({"start_urls": ["ftp://x/"]}, "start_urls"),
    ({"allowed_domains": [""]}, "allowed_domains"),
])
def test_bad_source_settings_are_rejected_naming_source_and_key(extra: dict, key: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(SourceError) as err:
        parse_source({**BASE, **extra}, 2)
    assert "sources[2] ('cq')" in str(err.value) and repr(key) in str(err.value)


def test_every_documented_option_is_accepted() -> None:
    source = parse_source({**BASE, "follow": r"/t\d{8}_\d+\.html$", "next_page": r"re:index_(\d+)\.html",
                           "title": "h1.title", "body": "div.TRS_Editor", "date": ".info",
                           "include": ["常委会"], "exclude": ["调研"], "max_pages": 3,
                           "obey_robots": False, "download_delay": 2, "download_timeout": 10,
                           "encoding": "gbk", "revisit_days": 7, "max_age_days": 30,
                           "allowed_domains": ["cq.gov.cn"], "contact": "ops@example.org",
                           "timezone": "Asia/Chongqing"})
    assert source.max_pages == 3 and source.include == ("常委会",)
    assert source.domains == ("cq.gov.cn", "www.cq.gov.cn")


def test_duplicate_names_are_rejected() -> None:
    with pytest.raises(SourceError, match="duplicate name 'cq'"):
        parse_sources([BASE, BASE])


def test_settings_are_polite_by_default() -> None:
    source = parse_source({**BASE, "contact": "ops@example.org"})
    s = scrapy_settings(source)
    assert s["ROBOTSTXT_OBEY"] is True and s["AUTOTHROTTLE_ENABLED"] is True
    assert s["CONCURRENT_REQUESTS_PER_DOMAIN"] <= 2 and s["DOWNLOAD_DELAY"] >= 1
    assert s["USER_AGENT"].startswith("readouts/") and "contact: ops@example.org" in s["USER_AGENT"]
    assert 20 * 1024 * 1024 > s["DOWNLOAD_MAXSIZE"] == MAX_RESPONSE_BYTES
    assert s["RETRY_TIMES"] >= 2 and 500 in s["RETRY_HTTP_CODES"] and s["RETRY_BACKOFF_BASE"] > 0


def test_retry_after_header_forms() -> None:
    assert retry_after("120") == 120
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after("soon") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("发布时间：2022-11-02 07:10　来源：重庆日报", datetime(2022, 11, 2, 7, 10, tzinfo=SH)),
    ("2022年11月02日 来源：市政府办公厅", datetime(2022, 11, 2, tzinfo=SH)),
    ("Updated: Nov 2, 2022", datetime(2022, 11, 2, tzinfo=SH)),
    ("Updated: November 2, 2022 14:05 | Source: xinhua", datetime(2022, 11, 2, 14, 5, tzinfo=SH)),
    ("Release date: 2 Nov 2022", datetime(2022, 11, 2, tzinfo=SH)),
    ("浏览次数：1200 无日期", None),
])
def test_dates_in_page_text(text: str, expected: datetime | None) -> None:
    assert parse_date_text(text, SH) == expected


def test_dates_in_urls() -> None:
    assert date_from_url("https://www.cq.gov.cn/ywdt/jrcq/202211/t20221102_11234567.html", SH) == \
        datetime(2022, 11, 2, tzinfo=SH)
    assert date_from_url("https://x.gov.cn/2022-11/02/content_123.htm", SH) == datetime(2022, 11, 2, tzinfo=SH)
    assert date_from_url("https://x.gov.cn/content_123.htm", SH) is None


LIST = """<html><body><ul class="nav"><li><a href="/col/1/index.html">首页</a></li></ul>
<ul><li><a href="202211/t20221102_1.html" title="市委常委会召开会议">市委常委会召开会议</a><span>2022-11-02</span></li>
<li><a href="/ywdt/content_77.htm">市政府常务会议研究...</a><span>2022年10月30日</span></li>
<li><a href="https://other.example/202211/t20221101_9.html">外站文章</a></li></ul>
<div class="page"><a href="index.html">首页</a><a href="index_2.html">下一页</a><a href="index_9.html">尾页</a></div>
</body></html>"""


def test_article_links_titles_and_list_dates() -> None:
    base = "http://www.cq.gov.cn/ywdt/index_1.html"
    doc = parse_html(LIST)
    links = article_links(doc, base, ("www.cq.gov.cn",))
    assert links == ["http://www.cq.gov.cn/ywdt/202211/t20221102_1.html",
                     "http://www.cq.gov.cn/ywdt/content_77.htm"]
    shown = listed(doc, base, links, SH)
    assert shown[links[0]].title == "市委常委会召开会议"
    assert shown[links[1]].date == datetime(2022, 10, 30, tzinfo=SH)
    assert article_links(doc, base, ("www.cq.gov.cn",), follow=r"content_\d+") == [links[1]]


def test_next_page_by_default_heuristics_css_and_regex() -> None:
    base = "http://www.cq.gov.cn/ywdt/index_1.html"
    doc = parse_html(LIST)
    assert next_page(doc, base) == "http://www.cq.gov.cn/ywdt/index_2.html"
    assert next_page(doc, base, ".page a:last-child") == "http://www.cq.gov.cn/ywdt/index_9.html"
    assert next_page(doc, base, r"re:index_(\d+)\.html") == "http://www.cq.gov.cn/ywdt/index_2.html"
    assert next_page(doc, "http://www.cq.gov.cn/ywdt/index_9.html", r"re:index_(\d+)\.html") is None
    assert next_page(parse_html("<a href='/news?page=3'>Next</a>"), "http://e.gov/news?page=2") == \
        "http://e.gov/news?page=3"


def _texts(source: str) -> list[content.Article]:
    return content.load(source)


@pytest.mark.parametrize("source", ["jiangzhou-zh", "yungang-zh", "jiangzhou-en"])
def test_demo_articles_classified_including_inspection_lookalikes(source: str) -> None:
    lang = source[-2:]
    for art in _texts(source):
        got = classify(art.title, "\n\n".join(art.paragraphs), lang)
        expected = (True, art.kind) if art.type in ("readout", "reprint") else (False, None)
        assert got == expected, art.slug


@pytest.mark.parametrize(("title", "text", "lang", "expected"), [
    ("市委常委会召开会议", "11月1日，市委常委会召开会议，传达学习……。会议指出，要……", "zh",
     (True, "party_standing_committee")),
    ("市政府召开第12次常务会议", "市长主持召开市政府第12次常务会议。会议研究了……", "zh",
     (True, "government_executive")),
    ("市人大常委会举行第五次会议", "市人大常委会第五次会议举行。会议审议了……", "zh",
     (True, "congress_standing_committee")),
    ("市长调研重点项目建设", "市长到高新区调研重点项目。他强调，要加快进度。", "zh", (False, None)),
    ("关于征求意见的公告", "为做好条例修订工作，现公开征求意见。", "zh", (False, None)),
    ("Municipal Party Committee Standing Committee holds meeting",
     "On November 1, the Standing Committee of the Municipal Party Committee held a meeting. "
     "The meeting stressed ... Members of the Standing Committee of the Municipal People's Congress attended.",
     "en", (True, "party_standing_committee")),
    ("Mayor inspects flood defences", "The mayor inspected the riverside levees and stressed safety.",
     "en", (False, None)),
])
def test_classification_from_title_and_opening(title: str, text: str, lang: str,
                                               expected: tuple[bool, str | None]) -> None:
    assert classify(title, text, lang) == expected


def test_reference_readout_is_a_party_standing_committee_readout() -> None:
    from pathlib import Path

    text = Path("/work/shared/reference/chongqing-2022-11-01-standing-committee.en.txt")
    if not text.exists():
        pytest.skip("reference readout not present")
    assert classify("", text.read_text(encoding="utf-8"), "en") == (True, "party_standing_committee")


def test_extraction_drops_boilerplate_and_reads_title_date_markdown() -> None:
    art = _texts("jiangzhou-zh")[1]
    page = zh_article_page(art.title, art.paragraphs, art.published)
    got = extract(page, "http://www.hecheng.example/a/t20990101_1.html", SH)
    assert got.title == art.title and got.published == art.published
    assert got.text == "\n\n".join(art.paragraphs)
    assert got.markdown.split("\n\n") == list(art.paragraphs)
    for noise in ("首页", "分享到", "相关文章", "备案号", "var x"):
        assert noise not in got.text and noise not in got.markdown


def test_english_extraction_reads_updated_date() -> None:
    art = _texts("jiangzhou-en")[1]
    got = extract(en_article_page(art.title, art.paragraphs, art.published), "http://e/x.htm", SH)
    assert got.title == art.title and got.published == art.published
    assert got.text.startswith(art.paragraphs[0]) and got.text.endswith(art.paragraphs[-1])
    assert "Most read" not in got.text and "Copyright" not in got.text


def test_spans_inside_paragraphs_are_not_read_twice_and_title_is_not_body() -> None:
    page = ("<html><body><div class='nav'><a href='/'>首页</a></div><div class='c'><h1>市委常委会召开会议</h1>"
            "<p><span>11月1日，市委常委会召开会议，传达学习有关会议精神，研究部署近期工作。</span></p>"
            "<p><font>会议强调，要坚持稳中求进工作总基调，扎实做好岁末年初各项工作。</font></p></div></body></html>")
    got = extract(page, "http://x/t20221101_1.html", SH)
    assert got.text.split("\n\n") == ["11月1日，市委常委会召开会议，传达学习有关会议精神，研究部署近期工作。",
                                      "会议强调，要坚持稳中求进工作总基调，扎实做好岁末年初各项工作。"]
    assert got.markdown == got.text
    assert got.published == datetime(2022, 11, 1, tzinfo=SH)


def test_labelled_extraction_set_meets_its_targets() -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "bench/extraction.py"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "date             100.0%" in proc.stdout and "readout          100.0%" in proc.stdout
