"""Key themes of a readout: multi-word phrases, not single words.

Chinese: runs of noun-like jieba words joined into one phrase ("乡村" + "振兴" →
"乡村振兴"), plus four-character set phrases. English: two- and three-word n-grams
with no stop word inside or at the ends ("rural revitalization"). A phrase is a theme
when it recurs in the readout, or when it is one of the watched terms.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import cache

_EN_STOP = frozenset("""a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my
no nor not now of off on once only or other our ours out over own same she should so some such
than that the their theirs them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your meeting
meetings pointed emphasized emphasised stressed noted said must need necessary further continue
continuously effectively actively strive efforts make making work works city municipal our new
good well level levels all-round comprehensively promote promoting strengthen strengthening
implement implementing ensure firmly deeply solidly improve improving""".split())
_EN_WORD = re.compile(r"[a-z][a-z\-]+")
_ZH_NOUNISH = frozenset({"n", "nz", "vn", "ns", "nt", "nl", "ng", "an", "l", "i", "j"})
_ZH_STOP = frozenset("""会议 工作 同志 有关 方面 情况 汇报 部门 全市 我市 各级 单位 问题 要求 精神 重要 举措 任务 水平 能力
力度 成效 措施 体系 机制 全面 重点 领域 各类 一批 关键 进一步 深入 切实 扎实""".split())
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
MAX_THEMES = 8


@cache
def _posseg():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def candidates_zh(text: str) -> list[str]:
    phrases: list[str] = []
    run: list[str] = []

    def close() -> None:
        if len(run) >= 2 and 4 <= len("".join(run)) <= 10:
            phrases.append("".join(run))
        elif len(run) == 1 and len(run[0]) >= 4:
            phrases.append(run[0])
        run.clear()

    for pair in _posseg().cut(text):
        word, flag = pair.word, pair.flag
        if _CJK.match(word) and len(word) >= 2 and flag in _ZH_NOUNISH and word not in _ZH_STOP:
            run.append(word)
            if len(run) == 3:
                close()
        else:
            close()
    close()
    return phrases


def candidates_en(text: str) -> list[str]:
    phrases = []
    for sentence in re.split(r"[.;:!?,()“”\"]", text.lower()):
        words = _EN_WORD.findall(sentence)
        for n in (2, 3):
            for i in range(len(words) - n + 1):
                gram = words[i:i + n]
                if not any(w in _EN_STOP for w in gram):
                    phrases.append(" ".join(gram))
    return phrases


def phrase_counts(text: str, language: str) -> Counter[str]:
    found = candidates_zh(text) if language == "zh" else candidates_en(text)
    return Counter(found)


def themes(text: str, language: str, watch_terms: tuple[str, ...] = (),
           limit: int = MAX_THEMES) -> list[str]:
    """The readout's themes, most frequent first (ties in alphabetical order)."""
    counts = phrase_counts(text, language)
    lowered = text.lower()
    for term in watch_terms:
        n = lowered.count(term.lower())
        if n:
            counts[term] = max(counts[term], n, 2)
    kept = {p: c for p, c in counts.items() if c >= 2}
    # Drop a phrase contained in a longer kept phrase that occurs as often.
    kept = {p: c for p, c in kept.items()
            if not any(p != q and p in q and kept[q] >= c for q in kept)}
    ranked = sorted(kept.items(), key=lambda pc: (-pc[1], -len(pc[0]), pc[0]))
    return [p for p, _ in ranked[:limit]]


def mentions(text: str, phrase: str) -> bool:
    return phrase.lower() in text.lower()
