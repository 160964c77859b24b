"""The demo portals as they stood at a given moment: list pages, article pages, robots.txt.

Each source is a fictional city portal with its own look, URL scheme, date format and
encoding (jiangzhou-zh is GBK). The site changes with `now`: articles appear when they
are published, one article is edited after publication, one readout is put online days
after its publication date (a late arrival), and one listed link is dead.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.demo import content
from service.demo.content import TZ, Article
from service.demo.server import Reply

PER_PAGE = 10


@dataclass(frozen=True)
class Portal:
    source: str
    host: str
    name: str
    city: str
    language: str
    encoding: str
    charset: str          # as declared in the page
    list_path: str
    column: str


PORTALS = (
    Portal("jiangzhou-zh", "www.jiangzhou.example", "江州市人民政府", "Jiangzhou", "zh", "gbk",
           "gb2312", "/zwgk/hyjj/", "会议精神"),
    Portal("yungang-zh", "www.yungang.example", "云港市人民政府门户网站", "Yungang", "zh", "utf-8",
           "utf-8", "/xwzx/zwdt/", "政务动态"),
    Portal("jiangzhou-en", "en.jiangzhou.example", "Jiangzhou, China", "Jiangzhou", "en", "utf-8",
           "utf-8", "/news/cityupdates/", "City Updates"),
)
ROBOTS = "User-agent: *\nDisallow: /search/\nDisallow: /admin/\n"
EDIT_VISIBLE_FROM = datetime(2026, 11, 17, 10, 0, tzinfo=TZ)
LATE_DELAY = timedelta(days=16)   # the late readout goes online this long after its date
DEAD_SLUG = "dead-link"


def _article_path(portal: Portal, art: Article) -> str:
    """A CMS-style URL whose number is derived from the file name, so it never moves."""
    d = art.published
    number = int(hashlib.sha1(art.slug.encode()).hexdigest()[:8], 16) % 900_000 + 100_000
    if portal.source == "jiangzhou-zh":
        return f"{portal.list_path}{d:%Y%m}/t{d:%Y%m%d}_{number}.html"
    if portal.source == "yungang-zh":
        return f"{portal.list_path}content_{number}.htm"
    return f"/news/{d:%Y-%m}/{d:%d}/content_{number}.htm"


class DemoSite:
    def __init__(self) -> None:
        self.now = datetime(2026, 9, 14, tzinfo=TZ)
        self.edited = content.load_edited()
        self.portals = {p.host: p for p in PORTALS}
        self.articles: dict[str, list[tuple[str, Article]]] = {}
        for portal in PORTALS:
            arts = content.load(portal.source)
            self.articles[portal.source] = [(_article_path(portal, a), a) for a in arts]
        self.late_slug = self._pick_late()

    def _pick_late(self) -> str:
        """The yungang-zh readout of 2026-W42 is put online only in W44."""
        for _, art in self.articles["yungang-zh"]:
            if art.type == "readout" and art.published.isocalendar()[:2] == (2026, 42):
                return art.slug
        return ""

    def online_from(self, art: Article) -> datetime:
        return art.published + (LATE_DELAY if art.slug == self.late_slug else timedelta())

    def version(self, art: Article) -> Article:
        later = self.edited.get(art.slug)
        return later if later and self.now >= EDIT_VISIBLE_FROM and art.source == "jiangzhou-zh" \
            else art

    def visible(self, portal: Portal) -> list[tuple[str, Article]]:
        items = [(path, a) for path, a in self.articles[portal.source] if self.online_from(a) <= self.now]
        return sorted(items, key=lambda pa: (pa[1].published, pa[0]), reverse=True)

    # -- routing ----------------------------------------------------------------------------
    def route(self, host: str, path: str) -> Reply:
        portal = self.portals.get(host)
        if portal is None:
            return Reply(404, b"unknown host")
        path = path.split("?", 1)[0]
        if path == "/robots.txt":
            return Reply(200, ROBOTS.encode(), {"Content-Type": "text/plain"})
        if path in ("/", "/index.html"):
            return self._page(portal, self._home(portal))
        if path.startswith(portal.list_path):
            rest = path[len(portal.list_path):]
            if rest in ("", "index.html") or (rest.startswith("index_") and rest.endswith(".html")):
                page = 0 if rest in ("", "index.html") else int(rest[6:-5] or 0)
                listing = self._list(portal, page)
                if listing is not None:
                    return self._page(portal, listing)
        for art_path, art in self.visible(portal):
            if art_path == path:
                return self._page(portal, self._article(portal, self.version(art)))
        return Reply(404, self._wrap(portal, "404", "<h1>404 Not Found</h1>").encode(portal.encoding),
                     {"Content-Type": f"text/html; charset={portal.charset}"})

    def _page(self, portal: Portal, body: str) -> Reply:
        return Reply(200, body.encode(portal.encoding, errors="xmlcharrefreplace"),
                     {"Content-Type": f"text/html; charset={portal.charset}"})

    # -- page chrome -----------------------------------------------------------------------------
    def _nav(self, portal: Portal) -> str:
        if portal.language == "en":
            items = ["Home", "News", "Government", "Business", "Investment", "Living", "Travel",
                     "Culture", "Education", "Health", "Transport", "Services", "Policies",
                     "Districts", "Sister Cities", "Photos", "Videos", "Contact Us"]
        else:
            items = ["首页", "政务公开", "政务服务", "互动交流", "走进城市",
                     "政策文件", "政策解读", "规划计划", "财政信息", "人事信息", "统计数据", "应急管理",
                     "重点领域", "营商环境", "专题专栏", "网上调查", "意见征集", "在线访谈", "新闻发布会"]
        links = "".join(f'<li><a href="/col/{i}/index.html">{html.escape(x)}</a></li>'
                        for i, x in enumerate(items))
        return f'<div class="nav"><ul>{links}</ul></div>'

    def _footer(self, portal: Portal) -> str:
        if portal.language == "en":
            links = ["About", "Sitemap", "Privacy", "Terms", "Accessibility", "Feedback"]
            tail = f"Copyright © {portal.name}. All rights reserved."
        else:
            links = ["网站地图", "联系我们", "隐私声明", "使用帮助", "无障碍浏览", "纠错"]
            tail = f"主办：{portal.name}办公室　网站标识码：3600000001　备案号：示例ICP备00000001号"
        friends = "".join(f'<a href="/link/{i}.html">{html.escape(x)}</a> ' for i, x in enumerate(links))
        return f'<div class="footer"><div class="links">{friends}</div><p>{html.escape(tail)}</p></div>'

    def _wrap(self, portal: Portal, title: str, main: str, head_extra: str = "") -> str:
        return (
            f'<!DOCTYPE html>\n<html lang="{portal.language}"><head>'
            f'<meta http-equiv="Content-Type" content="text/html; charset={portal.charset}">'
            f"<title>{html.escape(title)} - {html.escape(portal.name)}</title>{head_extra}"
            '<script>var _hmt = _hmt || [];</script><style>body{font-size:14px}</style></head>'
            f'<body><div class="header"><div class="logo"><a href="/">{html.escape(portal.name)}</a>'
            '</div><form action="/search/"><input name="q"><button>搜索</button></form></div>'
            f"{self._nav(portal)}<div class=\"main\">{main}</div>{self._footer(portal)}</body></html>")

    def _home(self, portal: Portal) -> str:
        return self._wrap(portal, portal.name,
                          f'<a href="{portal.list_path}index.html">{html.escape(portal.column)}</a>')

    def _list(self, portal: Portal, page: int) -> str | None:
        items = self.visible(portal)
        if portal.source == "yungang-zh" and items:
            dead_date = items[min(3, len(items) - 1)][1].published
            items.insert(min(4, len(items)), (f"{portal.list_path}content_99999.htm",
                                              Article(portal.source, DEAD_SLUG, "云港市2026年秋季征兵公告",
                                                      dead_date, "news", ())))
        pages = max(1, -(-len(items) // PER_PAGE))
        if page >= pages:
            return None
        rows = []
        for path, art in items[page * PER_PAGE:(page + 1) * PER_PAGE]:
            stamp = art.published.strftime("%Y-%m-%d") if portal.language == "zh" \
                else art.published.strftime("%b %d, %Y")
            rows.append(f'<li><a href="{path}" target="_blank" title="{html.escape(art.title)}">'
                        f"{html.escape(art.title)}</a><span class=\"date\">{stamp}</span></li>")
        def page_url(n: int) -> str:
            return f"{portal.list_path}index.html" if n == 0 else f"{portal.list_path}index_{n}.html"
        labels = ("首页", "上一页", "下一页", "尾页") if portal.language == "zh" else \
            ("First", "Previous", "Next", "Last")
        bar = [f'<a href="{page_url(0)}">{labels[0]}</a>']
        if page > 0:
            bar.append(f'<a href="{page_url(page - 1)}">{labels[1]}</a>')
        if page + 1 < pages:
            bar.append(f'<a href="{page_url(page + 1)}">{labels[2]}</a>')
        bar.append(f'<a href="{page_url(pages - 1)}">{labels[3]}</a>')
        sidebar = "".join(f'<li><a href="/col/hot/{i}.html">{x}</a></li>' for i, x in enumerate(
            ["政策问答", "办事指南", "公示公告", "招标采购", "人事任免"] if portal.language == "zh"
            else ["Fast facts", "Doing business", "Visa guide", "Emergency numbers", "Maps"]))
        return self._wrap(portal, portal.column,
                          f'<div class="sidebar"><ul>{sidebar}</ul></div><div class="list">'
                          f'<h2>{html.escape(portal.column)}</h2><ul class="list-items">'
                          f'{"".join(rows)}</ul><div class="page">{" ".join(bar)}</div></div>')

    def _article(self, portal: Portal, art: Article) -> str:
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in art.paragraphs)
        stamp = art.published
        if portal.source == "jiangzhou-zh":
            head = (f'<meta name="PubDate" content="{stamp:%Y-%m-%d %H:%M}">'
                    f'<meta name="ArticleTitle" content="{html.escape(art.title)}">'
                    f'<meta name="ColumnName" content="{portal.column}">')
            info = f"发布时间：{stamp:%Y-%m-%d %H:%M}　来源：江州日报　【字体：大 中 小】"
            crumbs = f'<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="{portal.list_path}">{portal.column}</a>'
            body = f'<div class="TRS_Editor">{paras}</div>'
        elif portal.source == "yungang-zh":
            head = ""
            info = f"{stamp:%Y年%m月%d日 %H:%M}　来源：云港发布　浏览次数：<span id='hits'>0</span>"
            crumbs = f'当前位置：<a href="/">首页</a> » <a href="{portal.list_path}">{portal.column}</a>'
            body = f'<div id="zoom" class="article-content">{paras}</div>'
        else:
            head = f'<meta property="og:title" content="{html.escape(art.title)}">'
            info = f"Updated: {stamp:%b} {stamp.day}, {stamp:%Y} {stamp:%H:%M}　Source: Jiangzhou Daily"
            crumbs = f'<a href="/">Home</a> &gt; <a href="{portal.list_path}">{portal.column}</a>'
            body = f'<div class="article-body">{paras}</div>'
        related = "".join(f'<li><a href="{p}">{html.escape(a.title)}</a></li>'
                          for p, a in self.visible(portal)[:6])
        share = "分享到：微信 微博 QQ空间　【打印本页】【关闭窗口】" if portal.language == "zh" \
            else "Share: WeChat Weibo Email | Print | Close"
        related_label = "相关文章" if portal.language == "zh" else "Related stories"
        main = (f'<div class="crumbs">{crumbs}</div><div class="article"><h1>{html.escape(art.title)}</h1>'
                f'<div class="info">{info}</div>{body}<div class="share">{share}</div></div>'
                f'<div class="related"><h3>{related_label}</h3><ul>{related}</ul></div>')
        return self._wrap(portal, art.title, main, head)
