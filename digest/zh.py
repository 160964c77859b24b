"""The digest's own jieba tokenizer, taught the lexicon's Chinese set phrases.

It is private: the global jieba dictionary (used for the search index) stays untouched,
so what gets indexed never depends on whether a digest ran first in the same process.
"""

from __future__ import annotations

import logging
from functools import cache

from digest import lexicon


@cache
def tokenizer():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    for phrase in lexicon.ZH:
        tok.add_word(phrase, tag="nz")
    return tok


@cache
def posseg():  # type: ignore[no-untyped-def]
    import jieba.posseg

    return jieba.posseg.POSTokenizer(tokenizer())
