"""How alike two readouts are: TF-IDF cosine over words, with the themes they share.

Words come from jieba for Chinese and a plain word pattern for English, so a Chinese
readout is compared with Chinese texts and an English one with English texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from digest import zh

_EN_WORD = re.compile(r"[a-z][a-z\-]{2,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=8192)
def words(text: str, language: str) -> tuple[str, ...]:
    """Words for TF-IDF (cached: a city's history is compared with every new readout)."""
    if language == "zh":
        cut = zh.tokenizer().lcut
        return tuple(w for run in _CJK_RUN.findall(text) for w in cut(run) if len(w) >= 2)
    return tuple(_EN_WORD.findall(text.lower()))


@dataclass
class Match:
    name: str          # reference name or article title
    url: str | None    # for earlier readouts
    score: float       # cosine similarity, 0–1
    shared: list[str]  # themes both have


def similarities(query: str, others: list[str], language: str) -> list[float]:
    """Cosine similarity (TF-IDF, fitted on the query and the others) of query to each other."""
    if not others:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(analyzer=lambda t: words(t, language), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([query, *others])
    except ValueError:  # no words at all
        return [0.0] * len(others)
    return [round(float(s), 3) for s in cosine_similarity(matrix[0], matrix[1:])[0]]
