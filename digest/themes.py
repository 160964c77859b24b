"""Key themes of a readout: recurring multi-word phrases, not single words.

A readout is cut into content words (jieba with part-of-speech tags for Chinese, a word
pattern for English); punctuation, numbers, names, function words and the boilerplate of
readouts ("会议", "主持", "情况汇报", "Secretary", "meeting", …) break phrases. Every span of
two to three content words (four for English) is a candidate, as is one Chinese word of
four or more characters ("共同富裕"). A candidate is a theme when it occurs at least twice
in the readout, or is a set phrase of policy language (`lexicon`) or a watched term. Where a phrase sits inside another
("新能源汽车" / "新能源汽车产业"), the longer one is kept only if it accounts for most of
the shorter one's occurrences.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from digest import lexicon, zh

MAX_THEMES = 10
VERSION = 3  # bump when the extraction changes: cached themes of older versions are redone

# --- English ---------------------------------------------------------------------------------
_EN_STOP = frozenset("""
a about above according across after again against all along also although am among an and
another any are around as at away be because been before being below between both but by can
could did do does doing down during each either even every few for from further had has have
having he her here hers him his how however i if in into is it its itself just less let like
made make makes making many may me might more most much must my no nor not now of off on once
one only onto or other others our ours out over own per same she should since so some such
than that the their theirs them then there these they this those though through thus to too
toward towards under until up upon us very via was we well were what when where whether which
while who whom whose why will with within without would yet you your
two three four five six seven eight nine ten first second third fourth fifth hundred thousand
million billion percent yuan year years month months day days week weeks time times today
meeting meetings session sessions held hold presided chaired attended delivered speech speeches
pointed emphasized emphasised stressed noted said stated required requested called listened
heard studied reviewed approved adopted deliberated decided conveyed deployed passed
report reports reported briefing work works working task tasks job matter matters issue issues
aspect aspects level levels way ways effort efforts step steps measure measures thing things
need needs necessary important importance requirement requirements good better best great
further continue continued continuously effectively actively firmly deeply solidly resolutely
comprehensively fully strictly vigorously earnestly conscientiously timely relevant related
various overall basic key major main specific certain
promote promoting promoted strengthen strengthening strengthened implement implementing
implemented ensure ensuring improve improving improved enhance enhancing accelerate
accelerating advance advancing carry carrying out do done doing grasp adhere adhering insist
insisting focus focusing persist build building achieve achieving
city city's cities municipal municipality government party party's committee committees
standing secretary secretaries mayor mayors deputy vice acting chairman chairwoman director
member members comrade comrades leader leaders official officials xi jinping general central
cpc communist people people's our provincial national-level
""".split())
# Content words that may sit inside a phrase but neither start nor end one.
_EN_INNER_ONLY = frozenset({"new"})
# Pinyin surnames: a capitalised surname followed by a capitalised word is a person's name.
_SURNAMES = frozenset("""
bai cai cao chen cheng cui deng ding dong du duan fan fang feng fu gao ge gong gu guo han hao he
hong hou hu hua huang jia jiang jin kang kong lei li liang liao lin liu long lu luo lü ma mao meng
miao pan peng qian qiao qin qiu ren shao shen shi song su sun tan tang tao tian wan wang wei wen
wu xia xiao xie xiong xu xue yan yang yao ye yin yu yuan zeng zhang zhao zheng zhong zhou zhu zou
""".split())
_NAME = re.compile(r"\b([A-Z][a-z]+) [A-Z][a-z]+(?:-[a-z]+)?\b")
_EN_TOKEN = re.compile(r"[a-z0-9][a-z0-9'’\-]*|[^\sa-z0-9]")
_EN_BREAK = re.compile(r"[^a-z\-]|^-|-$")


def _en_norm(word: str) -> str:
    """Fold simple plurals so "vehicles" counts as "vehicle"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _en_runs(text: str) -> list[list[tuple[str, str]]]:
    """Runs of (normalised, surface) content words between breakers."""
    runs: list[list[tuple[str, str]]] = [[]]
    text = _NAME.sub(lambda m: " . " if m.group(1).lower() in _SURNAMES else m.group(0), text)
    for token in _EN_TOKEN.findall(text.lower().replace("’", "'")):
        word = token.removesuffix("'s")
        if _EN_BREAK.search(word) or word in _EN_STOP or len(word) < 3 or word.endswith("ly"):
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((_en_norm(word), word))
    return [r for r in runs if r]


def _en_counts(text: str) -> tuple[Counter[str], dict[str, str]]:
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    for run in _en_runs(text):
        for n in (2, 3, 4):
            for i in range(len(run) - n + 1):
                gram = run[i:i + n]
                if (gram[0][0] in _EN_INNER_ONLY and n == 2) or gram[-1][0] in _EN_INNER_ONLY:
                    continue
                key = " ".join(w for w, _ in gram)
                counts[key] += 1
                surfaces.setdefault(key, Counter())[" ".join(s for _, s in gram)] += 1
    shown = {k: sorted(c.items(), key=lambda sc: (-sc[1], sc[0]))[0][0] for k, c in surfaces.items()}
    counts = Counter({k: c for k, c in counts.items() if c >= 2})
    folded = _en_folded(text)
    for phrase in lexicon.EN:
        key = _en_folded(phrase).strip()
        n = folded.count(f" {key} ")
        if n:
            counts[key] = max(counts[key], n)
            shown.setdefault(key, phrase)
    return counts, shown


# --- Chinese ---------------------------------------------------------------------------------
# Tags that may form a phrase: nouns, verbal/adjectival nouns, verbs, idioms, abbreviations.
_ZH_CONTENT = frozenset({"n", "nz", "nt", "nl", "ng", "vn", "v", "vd", "an", "a", "l", "i", "j",
                         "z", "b"})
_ZH_STOP = frozenset("""
会议 主持 主持会议 召开 出席 列席 讲话 常务会议 全体会议 常委会 人大常委会 市委 市政府 市人大 政协 市政协
书记 市委书记 副书记 市长 代市长 副市长 主任 副主任 委员 常委 市委常委 秘书长 同志 负责同志 领导 领导干部
工作 情况 汇报 情况汇报 报告 说明 部门 单位 全市 我市 各级 各地 有关 相关 方面 问题 要求 精神 重要 举措 任务
水平 能力 力度 成效 措施 机制 重点 领域 各类 一批 关键 进一步 深入 切实 扎实 全面 今年以来 当前 目前 近期
下一步 研究 部署 听取 审议 通过 强调 指出 认为 决定 要求 提出 表示 坚持 推动 推进 加快 加强 强化 落实 抓好
做好 确保 实施 开展 提升 促进 完善 健全 统筹 围绕 聚焦 持续 不断 着力 全力 积极 努力 进行 实现 形成 发挥
作用 发展 建设 支持 保障 服务 管理 组织 贯彻 学习 传达 认真 坚决 牢牢 把握 抓紧 加大 用好 稳妥 有序
全省 全国 同比 增长 人民政府 组成人员 期间 经济社会 壮大 培育 方案 实施方案 行动方案 政策措施 给予 最高 以上 左右
""".split())
_ZH_WORD = re.compile(r"^[\u4e00-\u9fff]+$")


def _zh_runs(text: str) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    for pair in zh.posseg().cut(text):
        word, flag = pair.word, pair.flag
        if _ZH_WORD.match(word) and len(word) >= 2 and flag in _ZH_CONTENT \
                and word not in _ZH_STOP:
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _zh_counts(text: str) -> Counter[str]:
    candidates: set[str] = set()
    for run in _zh_runs(text):
        for n in (1, 2, 3, 4):
            for i in range(len(run) - n + 1):
                phrase = "".join(run[i:i + n])
                if (n > 1 or len(phrase) >= 4) and 4 <= len(phrase) <= 12:
                    candidates.add(phrase)
    # Count each candidate wherever it occurs, whatever the segmentation around it.
    counts = Counter({p: text.count(p) for p in candidates})
    counts = Counter({p: c for p, c in counts.items() if c >= 2 and p not in _ZH_STOP})
    counts.update({p: text.count(p) for p in lexicon.ZH if p in text})
    return counts


# --- both ------------------------------------------------------------------------------------
def _prune(kept: dict[str, int], contains) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Between a phrase and a longer one containing it, keep the longer only when it accounts
    for at least two thirds of the shorter one's occurrences; otherwise keep the shorter."""
    out = dict(kept)
    for short in sorted(kept, key=len):
        for long in kept:
            if long != short and short in out and long in out and contains(long, short):
                if kept[long] * 3 >= kept[short] * 2:
                    del out[short]
                else:
                    del out[long]
    return out


def _contains_words(long: str, short: str) -> bool:
    return f" {short} " in f" {long} "


def ranked_phrases(text: str, language: str, limit: int = 30) -> list[tuple[str, int]]:
    """The readout's candidate themes with their counts, most frequent first (ties: longer,
    then alphabetical). Depends on the text alone, so it can be cached per readout."""
    if language == "zh":
        counts, shown = _zh_counts(text), {}
        contains = str.__contains__
    else:
        counts, shown = _en_counts(text)
        contains = _contains_words
    kept = _prune(dict(counts), contains)
    ranked = sorted(((shown.get(p, p), c) for p, c in kept.items()),
                    key=lambda pc: (-pc[1], -len(pc[0]), pc[0]))
    return ranked[:limit]


def select(phrases: list[tuple[str, int]], text: str, watch_terms: tuple[str, ...] = (),
           limit: int = MAX_THEMES) -> list[str]:
    """The themes to show: the ranked phrases plus any watched term the text mentions."""
    result = dict(phrases)
    for term in watch_terms:
        n = text.lower().count(term.lower())
        if n and not any(term.lower() in p.lower() for p in result):
            result[term] = max(n, 2)
    ranked = sorted(result.items(), key=lambda pc: (-pc[1], -len(pc[0]), pc[0]))
    return [p for p, _ in ranked[:limit]]


def themes(text: str, language: str, watch_terms: tuple[str, ...] = (),
           limit: int = MAX_THEMES) -> list[str]:
    """The readout's themes, most frequent first."""
    return select(ranked_phrases(text, language), text, watch_terms, limit)


@lru_cache(maxsize=4096)
def _en_folded(text: str) -> str:
    words = [_en_norm(t.removesuffix("'s")) for t in _EN_TOKEN.findall(text.lower().replace("’", "'"))]
    return f" {' '.join(words)} "


def mentions(text: str, phrase: str) -> bool:
    """Does the text mention the phrase (English: as whole words, plurals folded)?"""
    if phrase.isascii():
        return f" {_en_folded(phrase).strip()} " in _en_folded(text)
    return phrase in text
