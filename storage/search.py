"""Full-text search that works for Chinese: jieba segments text into words before FTS5.

sqlite's unicode61 tokenizer splits on spaces and punctuation only, so an unsegmented
Chinese sentence would be one token. We index a segmented copy of title and text
(`search_title`, `search_text`), and segment queries the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import sqlite_utils

_CJK = re.compile(r"[\u3400-\u9fff]")
_TOKEN = re.compile(r"[\w\u3400-\u9fff]+", re.UNICODE)


@cache
def _jieba():  # type: ignore[no-untyped-def]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def segment(text: str) -> str:
    """Space-separated words; Chinese runs cut with jieba's search mode (words and sub-words)."""
    if not text or not _CJK.search(text):
        return text or ""
    return " ".join(t for t in _jieba().cut_for_search(text) if t.strip())


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression: every word of the query, quoted, all required."""
    words = [w for w in _TOKEN.findall(segment(query)) if w.strip()]
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


@dataclass
class Hit:
    id: int
    url: str
    title: str
    published: str | None
    source: str
    is_readout: bool
    snippet: str
    rank: float


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[Hit]:
    """Best matches first (bm25), with the matched words marked in a snippet."""
    match = fts_query(query)
    if not match:
        return []
    sql = """
        SELECT r.id, r.url, r.title, r.published, r.source, r.is_readout,
               r.text AS body,
               bm25(readouts_fts, 5.0, 1.0) AS rank
        FROM readouts_fts JOIN readouts r ON r.id = readouts_fts.rowid
        WHERE readouts_fts MATCH ? ORDER BY rank, r.id LIMIT ?
    """
    rows = db.execute(sql, (match, limit)).fetchall()
    words = sorted(set(_TOKEN.findall(segment(query))), key=len, reverse=True)
    return [Hit(id=r[0], url=r[1], title=r[2] or "", published=r[3], source=r[4],
                is_readout=bool(r[5]), snippet=snippet(r[6] or "", words), rank=r[7])
            for r in rows]


def snippet(text: str, words: list[str], width: int = 60) -> str:
    """The text around the first matched word, every match marked [like this]."""
    flat = " ".join(text.split())
    pattern = re.compile("|".join(re.escape(w) for w in words), re.I) if words else None
    first = pattern.search(flat) if pattern else None
    start = max(0, first.start() - width // 2) if first else 0
    piece = flat[start:start + width * 2]
    marked = pattern.sub(lambda m: f"[{m.group(0)}]", piece) if pattern else piece
    return ("…" if start else "") + marked + ("…" if start + width * 2 < len(flat) else "")
