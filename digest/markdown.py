"""Markdown building blocks that keep crawled (untrusted) text inert.

Crawled text may contain anything: headings, links, HTML, front-matter fences, table
pipes. `text()` turns it into one line of literal characters; `link()` only emits
http(s) URLs with the characters that could end the link percent-encoded.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_WS = re.compile(r"\s+")


def text(value: object, limit: int | None = None) -> str:
    """One line of untrusted text, safe anywhere inline (also in table cells)."""
    s = _WS.sub(" ", str(value or "")).strip()
    if limit and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", s)


def link(label: str, url: str) -> str:
    """A link with an untrusted label and URL; non-http(s) URLs are shown as text only."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return text(label)
    safe = quote(url, safe=":/?&=%#,;@+$!*'~")  # parentheses, brackets, <, > and spaces encoded
    safe = safe.replace("'", "%27").replace("*", "%2A")
    return f"[{text(label)}]({safe})"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GFM table; cells must already be escaped (text() escapes pipes)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
