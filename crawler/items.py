"""What one fetched article page becomes: the raw capture plus the fields read from it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleItem:
    source: str
    city: str
    language: str
    url: str                      # the URL requested
    final_url: str                # after redirects
    canonical_url: str            # w3lib-canonicalised final URL: the article's identity
    status: int
    fetched_at: str               # ISO 8601, UTC
    encoding: str
    body: bytes                   # the raw response body, as received
    headers: dict[str, str] = field(default_factory=dict)
    title: str = ""
    published: str | None = None  # ISO 8601 with offset, or None when no date was found
    text: str = ""                # main text, paragraphs separated by blank lines
    markdown: str = ""            # main content as Markdown
    is_readout: bool = False
    kind: str | None = None
