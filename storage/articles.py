"""Every archived article with its copies and revision count, streamed (for the export).

One query with correlated subqueries: no per-article round trips, nothing held in memory
beyond the current row, so exporting years of archive costs constant memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils


@dataclass
class ArchivedArticle:
    url: str
    source: str
    city: str | None
    language: str | None
    title: str
    published: str | None
    first_seen: str
    is_readout: bool
    kind: str | None
    text: str
    copies: list[dict[str, Any]]      # {"url", "source", "similarity"}, by URL
    revisions: int


_QUERY = """
SELECT r.url, r.source, r.city, r.language, r.title, r.published, r.first_seen, r.is_readout,
       r.kind, r.text,
       (SELECT json_group_array(json_object('url', c.url, 'source', c.source,
                                            'similarity', c.similarity))
          FROM (SELECT url, source, similarity FROM copies WHERE readout_id = r.id
                ORDER BY url) AS c),
       (SELECT COUNT(*) FROM revisions WHERE readout_id = r.id)
FROM readouts r ORDER BY r.id
"""


def iter_archived(db: sqlite_utils.Database) -> Iterator[ArchivedArticle]:
    for row in db.execute(_QUERY):
        (url, source, city, language, title, published, first_seen, is_readout, kind, text,
         copies, revisions) = row
        yield ArchivedArticle(url, source, city, language, title or "", published, first_seen,
                              bool(is_readout), kind, text or "", json.loads(copies),
                              max(int(revisions), 1))
