"""Read an article page: title, publication date, main text and its Markdown.

The main content is found by text density (the block whose paragraphs hold the most
non-link text), which is both faster and more exact on government CMS pages than a
general-purpose extractor; trafilatura is the fallback when no block stands out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import lxml.html
from lxml.html import HtmlElement
from markdownify import markdownify

from crawler.dates import date_from_meta, date_from_url, parse_date_text

_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "button", "select", "svg")
_BLOCKS = ("div", "article", "section", "main", "td", "font", "span", "center")
_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_TITLE_SPLIT = re.compile(r"\s*(?:[-|_–—]|::)\s*")
_MIN_BODY_CHARS = 60
_PARA_TAGS = ("p", "h1", "h2", "h3", "h4", "li", "blockquote")
_LEAF_TAGS = ("div", "span", "font")
_BLOCK_CHILDREN = ("div", "p", "ul", "ol", "table", "section", "article", "li", "h1", "h2", "h3",
                   "h4", "blockquote", "br")
_BYLINE = re.compile(r"来源|发布|时间|日期|作者|编辑|浏览|source|published|updated|posted|by\b|\|", re.I)


@dataclass
class Extracted:
    title: str
    published: datetime | None
    text: str
    markdown: str


def parse_html(html: str) -> HtmlElement:
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    return lxml.html.fromstring(html or "<html></html>")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _link_chars(el: HtmlElement) -> int:
    return sum(len(_clean(a.text_content())) for a in el.iter("a"))


def _text_leaf(el: HtmlElement) -> bool:
    """A <div>/<span>/<font> used as a paragraph: it holds text but no blocks."""
    return el.tag in _LEAF_TAGS and not any(c.tag in _BLOCK_CHILDREN for c in el)


def _para_elements(node: HtmlElement) -> list[HtmlElement]:
    """Outermost paragraph-like elements, in document order (a <span> in a <p> is not another)."""
    found = []
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _PARA_TAGS or _text_leaf(child):
            found.append(child)
        else:
            found.extend(_para_elements(child))
    return found


def _is_byline(text: str, title: str) -> bool:
    """The title repeated, or a short line of date and source/author (not body text)."""
    if text == title:
        return True
    return len(text) < 100 and bool(_BYLINE.search(text)) and parse_date_text(text, UTC) is not None


def _paragraphs(node: HtmlElement, title: str) -> list[str]:
    """Paragraph texts of a content block, without a leading title or byline.

    <p>-like elements (or text-only divs), else lines split at <br>. Elements dropped as
    title or byline are removed from the tree so the Markdown leaves them out too.
    """
    paras = [(el, _clean(el.text_content())) for el in _para_elements(node)]
    paras = [(el, t) for el, t in paras if t]
    if not paras:
        for br in node.iter("br"):
            br.tail = "\n" + (br.tail or "")
        lines = [line for line in (_clean(x) for x in node.text_content().split("\n")) if line]
        while lines and _is_byline(lines[0], title):
            lines = lines[1:]
        return lines
    while paras and _is_byline(paras[0][1], title):
        paras.pop(0)[0].drop_tree()
    return [t for _, t in paras]


def _density_score(el: HtmlElement) -> int:
    """Non-link text directly held by the block's paragraphs (and its own text nodes)."""
    score = 0
    for child in el:
        if child.tag in ("p", "br") or _text_leaf(child):
            text = len(_clean(child.text_content()))
            score += max(0, text - 2 * _link_chars(child))
        score += len(_clean(child.tail or ""))
    score += len(_clean(el.text or ""))
    return score


def main_block(doc: HtmlElement) -> HtmlElement | None:
    best, best_score = None, 0
    for el in doc.iter(*_BLOCKS):
        score = _density_score(el)
        if score > best_score:
            best, best_score = el, score
    return best if best_score >= _MIN_BODY_CHARS else None


def _title(doc: HtmlElement, selector: str | None) -> str:
    if selector:
        found = doc.cssselect(selector)
        if found:
            return _clean(found[0].text_content())
    for meta in doc.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        if key in ("articletitle", "og:title") and meta.get("content", "").strip():
            return _clean(meta.get("content", ""))
    for tag in ("h1", "h2"):
        for h in doc.iter(tag):
            text = _clean(h.text_content())
            if len(text) >= 4:
                return text
    title = doc.find(".//title")
    if title is not None and title.text:
        return _TITLE_SPLIT.split(_clean(title.text))[0]
    return ""


def _date(doc: HtmlElement, url: str, title: str, selector: str | None,
          tz: tzinfo) -> datetime | None:
    if selector:
        for node in doc.cssselect(selector):
            found = parse_date_text(node.text_content(), tz)
            if found:
                return found
    found = date_from_meta(doc, tz)
    if found:
        return found
    body = doc.find("body")
    page_text = (body if body is not None else doc).text_content()
    start = page_text.find(title) if title else -1
    if start >= 0:
        found = parse_date_text(page_text[start:start + 1500], tz)
        if found:
            return found
    return date_from_url(url, tz)


def _fallback(html: str) -> tuple[str, str]:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
    paras = [p for p in (_clean(x) for x in text.split("\n")) if p]
    return "\n\n".join(paras), "\n\n".join(paras)


def extract(html: str, url: str, tz: tzinfo, *, title_selector: str | None = None,
            body_selector: str | None = None, date_selector: str | None = None) -> Extracted:
    doc = parse_html(html)
    for el in list(doc.iter(*_DROP_TAGS)):
        el.drop_tree()
    title = _title(doc, title_selector)
    published = _date(doc, url, title, date_selector, tz)
    block = None
    if body_selector:
        found = doc.cssselect(body_selector)
        block = found[0] if found else None
    block = block if block is not None else main_block(doc)
    if block is None:
        text, markdown = _fallback(html)
    else:
        text = "\n\n".join(_paragraphs(block, title))
        markdown = markdownify(lxml.html.tostring(block, encoding="unicode"), heading_style="ATX",
                               strip=["a", "img"]).strip()
        markdown = re.sub(r"\n{3,}", "\n\n", markdown)
    return Extracted(title=title, published=published, text=text, markdown=markdown)
