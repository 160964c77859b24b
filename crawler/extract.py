"""Read an article page: title, publication date, main text and its Markdown.

The main content is found by text density (the block whose paragraphs hold the most
non-link text), which is both faster and more exact on government CMS pages than a
general-purpose extractor; trafilatura is the fallback when no block stands out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

import lxml.html
from lxml.html import HtmlElement
from markdownify import markdownify

from crawler.dates import date_from_meta, date_from_url, parse_date_text

_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "button", "select", "svg")
_BLOCKS = ("div", "article", "section", "main", "td", "font", "span", "center")
_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_TITLE_SPLIT = re.compile(r"\s*(?:[-|_–—]|::)\s*")
_MIN_BODY_CHARS = 60


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


def _paragraphs(node: HtmlElement) -> list[str]:
    """Paragraph texts of a content block: <p>-like children, else lines split at <br>."""
    paras = [_clean(p.text_content()) for p in node.iter("p", "h2", "h3", "h4", "li", "blockquote")]
    paras = [p for p in paras if p]
    if paras:
        return paras
    for br in node.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return [line for line in (_clean(x) for x in node.text_content().split("\n")) if line]


def _density_score(el: HtmlElement) -> int:
    """Non-link text directly held by the block's paragraphs (and its own text nodes)."""
    score = 0
    for child in el:
        if child.tag in ("p", "br") or (child.tag in ("span", "font") and len(child) == 0):
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
        markdown = markdownify(lxml.html.tostring(block, encoding="unicode"), heading_style="ATX",
                               strip=["a", "img"]).strip()
        markdown = re.sub(r"\n{3,}", "\n\n", markdown)
        paras = _paragraphs(block)
        if paras and title and paras[0] == title:
            paras = paras[1:]
        text = "\n\n".join(paras)
    return Extracted(title=title, published=published, text=text, markdown=markdown)
