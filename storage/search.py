"""Full-text search that works for Chinese: CJK text is indexed as overlapping bigrams.

sqlite's unicode61 tokenizer splits on spaces and punctuation only, so an unsegmented
Chinese sentence would be one token, and the trigram tokenizer cannot match the
two-character words most Chinese words are. We index a segmented copy of title and text
(`search_title`, `search_text`) in which every run of Chinese characters becomes its
overlapping bigrams ("防汛抗旱" → "防汛 汛抗 抗旱", as Lucene's CJK analyzer does), and a
query run becomes the phrase of its bigrams. A phrase of consecutive bigrams matches
exactly the substring, so every word is found whatever a dictionary would have made of
its neighbours, and segmenting costs microseconds instead of jieba's milliseconds and
150 MB dictionary (jieba stays where words matter: the digest's themes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_QUERY_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\W\u3400-\u9fff\uf900-\ufaff]+")


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]


def segment(text: str) -> str:
    """The text with each Chinese run replaced by its space-separated bigrams."""
    if not text:
        return ""
    return _CJK_RUN.sub(lambda m: " " + " ".join(_bigrams(m.group(0))) + " ", text)


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression: every word or Chinese run of the query, all required."""
    parts = []
    for token in _QUERY_TOKEN.findall(query):
        if _CJK_RUN.fullmatch(token):
            grams = _bigrams(token)
            # a lone character: any bigram that starts with it
            parts.append(_quoted(token) + "*" if len(token) == 1 else _quoted(" ".join(grams)))
        else:
            parts.append(_quoted(token))
    return " AND ".join(parts)


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
    words = sorted(set(_QUERY_TOKEN.findall(query)), key=len, reverse=True)
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
