"""Is an article a meeting readout, and of which kind? Decided from title and opening text."""

from __future__ import annotations

import re

# Each kind: patterns that name that meeting body, tried in order on the title, then the opening.
_KIND_PATTERNS: dict[str, dict[str, list[re.Pattern[str]]]] = {
    "zh": {
        "congress_standing_committee": [re.compile(r"人大常委会(第[一二三四五六七八九十百零\d]+次)?(会议|.{0,12}全体会议|召开|举行)")],
        "party_standing_committee": [re.compile(r"(市|省|区|县|州)委常委会(召开)?(会议|扩大会议)?")],
        "government_executive": [re.compile(r"政府[^，。；]{0,12}常务会议")],
        "other_meeting": [re.compile(r"(召开|举行)[^，。]{0,20}(会议|全会)|[^，。]{0,20}(委员会|领导小组)[^，。]{0,6}(会议)")],
    },
    "en": {
        "congress_standing_committee": [re.compile(r"people'?s congress standing committee|standing committee of the [\w\s]*people'?s congress", re.I)],
        "party_standing_committee": [re.compile(r"standing committee of the [\w\s]*(municipal |provincial )?party committee|party committee standing committee|(municipal|provincial) party standing committee", re.I)],
        "government_executive": [re.compile(r"executive meeting|municipal government meeting|executive session of the [\w\s]*government", re.I)],
        "other_meeting": [re.compile(r"\b(held|convened|hosted) (a|the) [\w\s\-]{0,60}(meeting|session|plenary)", re.I)],
    },
}

# Markers that the text reports a meeting's deliberations rather than, say, an inspection visit.
_READOUT_MARKERS = {
    "zh": re.compile(r"会议(指出|强调|要求|认为|研究|审议|听取|传达|决定|通过)|主持(召开)?会议|主持召开"),
    "en": re.compile(r"\bthe meeting (pointed out|emphasized|emphasised|stressed|noted|required|"
                     r"called|studied|reviewed|approved|decided|listened|heard|deliberated)|presided over",
                     re.I),
}
_OPENING_CHARS = 400


def classify(title: str, text: str, language: str) -> tuple[bool, str | None]:
    """Return (is_readout, kind). Non-readouts get kind None."""
    lang = language if language in _KIND_PATTERNS else "zh"
    opening = text[:_OPENING_CHARS]
    if not _READOUT_MARKERS[lang].search(text[:4000]):
        return False, None
    for kind, patterns in _KIND_PATTERNS[lang].items():
        if any(p.search(title) for p in patterns):
            return True, kind
    for kind, patterns in _KIND_PATTERNS[lang].items():
        if any(p.search(opening) for p in patterns):
            return True, kind
    return False, None
