"""Reading a readout: meeting date, who presided, who attended, and the agenda items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}

# --- Chinese -------------------------------------------------------------------------------
_ZH_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_ZH_TITLES = r"(?:书记|副书记|代市长|市长|代理市长|主任|省长|区长|县长|州长|主席|副市长|常务副市长|秘书长)"
_ZH_PRESIDER = re.compile(
    r"(?P<title>[\u4e00-\u9fff]{0,14}?" + _ZH_TITLES + r")(?P<name>[\u4e00-\u9fff]{2,3}?)"
    r"(?:同志)?主持(?:召开)?(?:会议|[^，。；]{0,30}?会议|[^，。；]{0,30}?全体会议)")
_ZH_AGENDA = re.compile(
    r"会议(?P<verb>还?听取了?|还?审议(?:通过)?了?|还?研究了?|还?传达学习了?|指出|强调|要求|认为|"
    r"决定|还?通过了?|号召|部署)")
_ZH_VERBS = {"听取": "listened", "审议": "reviewed", "审议通过": "approved", "研究": "studied",
             "传达学习": "conveyed", "指出": "pointed_out", "强调": "emphasized", "要求": "required",
             "认为": "noted", "决定": "decided", "通过": "approved", "号召": "called",
             "部署": "deployed"}
_ZH_NUM = r"[\d一二三四五六七八九十百零〇]+"
_ZH_BODY = re.compile(
    r"(?P<body>(?:市|省|区|县|州)(?:委常委会|委[\u4e00-\u9fff]{2,8}?委员会|"
    r"(?:人民)?政府(?:第" + _ZH_NUM + r"次)?(?:常务|全体)会议|人大常委会第" + _ZH_NUM + r"次会议|"
    r"政协常委会(?:第" + _ZH_NUM + r"次会议)?|[\u4e00-\u9fff]{2,8}?(?:指挥部|领导小组)))"
    r"(?=召开|举行|会议|，|。|\s)")
_ZH_ATTEND = re.compile(r"(?P<who>[\u4e00-\u9fff、，,]{2,80}?)(?:等)?(?:同志)?(?:出席|列席)(?:会议)?")

# --- English -------------------------------------------------------------------------------
_EN_DATE = re.compile(r"\b(?:On\s+)?(January|February|March|April|May|June|July|August|September|"
                      r"October|November|December)\s+(\d{1,2})(?:st|nd|rd|th)?(?:,\s*(\d{4}))?")
_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}"
_EN_TITLE = r"(?:(?:Acting |Deputy |Executive Vice )?(?:Secretary|Mayor|Director|Chairman|Chairwoman|" \
            r"Chair|Governor|Vice Mayor|Secretary-General))"
_EN_PRESIDER = [
    re.compile(r"(?P<name>" + _NAME + r"),\s+(?P<title>" + _EN_TITLE + r"[^.;]{0,120}?),\s+"
               r"(?:presided over|chaired|hosted)"),
    re.compile(r"(?P<title>" + _EN_TITLE + r"(?: of [^.;,]{0,80})?)\s+(?P<name>" + _NAME + r")\s+"
               r"(?:presided over|chaired|hosted)"),
    re.compile(r"(?:presided over|chaired) by (?P<title>" + _EN_TITLE + r"(?: of [^.;,]{0,80}?)?)\s+"
               r"(?P<name>[A-Z][a-z]+ [A-Z][a-z]+(?:-[a-z]+)?)(?=[.,;])"),
]
_EN_AGENDA = re.compile(
    r"\bThe meeting (?:also )?(?P<verb>pointed out|emphasi[sz]ed|stressed|required|noted|called|"
    r"listened to|heard|studied|reviewed|approved|adopted|deliberated|decided|conveyed|"
    r"deployed|passed|requested)", re.I)
_EN_VERBS = {"pointed out": "pointed_out", "emphasized": "emphasized", "emphasised": "emphasized",
             "stressed": "emphasized", "required": "required", "requested": "required",
             "noted": "noted", "called": "called", "listened to": "listened",
             "heard": "listened", "studied": "studied", "reviewed": "reviewed",
             "approved": "approved", "adopted": "approved", "passed": "approved",
             "deliberated": "reviewed", "decided": "decided", "conveyed": "conveyed",
             "deployed": "deployed"}
_EN_ORDINAL = r"(?:(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|" \
              r"ninth|tenth) )?"
_EN_NAMED = r"[A-Z][\w'’]*(?:\s(?:[A-Z][\w'’]*|and|of|the))*"
_EN_BODY = re.compile(
    r"(?P<body>" + _EN_ORDINAL + r"(?:executive|plenary|standing) meeting of the "
    r"(?:[A-Z][\w'’]*\s){0,4}(?:Government|Committee|Congress)|"
    r"(?:[A-Z][\w'’]*\s|of\s|the\s|and\s){1,12}(?:Committee|Commission|Congress|Government))"
    r"(?=\s(?:was\s)?(?:held|convened|met|opened)\b)"
    r"|(?:presided over|chaired) (?:the |a meeting of the )(?P<chaired>" + _EN_ORDINAL +
    r"(?:(?:executive |plenary |standing )?(?:meeting|session) of the )?" + _EN_NAMED + ")")
_EN_ATTEND = re.compile(r"(?P<who>[A-Z][^.;]{3,200}?)\s+(?:attended|were present at) the meeting")

_SENTENCE_END = re.compile(r"[。！？；]|(?<=[a-z0-9”\"])[.!?](?=\s|$)")


@dataclass
class AgendaItem:
    verb: str
    gist: str


@dataclass
class Meeting:
    bodies: list[str] = field(default_factory=list)  # e.g. 市委常委会; two for a joint readout
    meeting_date: date | None = None
    presider: str | None = None
    presider_title: str | None = None
    attendees: list[str] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)


def _resolve_year(month: int, day: int, year: int | None, published: datetime | None) -> date | None:
    if year is None:
        if published is None:
            return None
        year = published.year
        # A January readout about a December meeting belongs to the previous year.
        if month - published.month > 6:
            year -= 1
        elif published.month - month > 6:
            year += 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _first_sentence(text: str, limit: int) -> str:
    m = _SENTENCE_END.search(text)
    sentence = text[: m.start() + 1] if m else text
    sentence = sentence.strip(" ，,:：")
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def parse(text: str, language: str, published: str | None = None) -> Meeting:
    """Read the meeting facts from a readout's text (paragraphs separated by blank lines)."""
    pub = datetime.fromisoformat(published) if published else None
    return _parse_zh(text, pub) if language == "zh" else _parse_en(text, pub)


def _bodies(pattern: re.Pattern[str], text: str) -> list[str]:
    """Meeting bodies named in the readout's opening sentences, each once, in order."""
    found: list[str] = []
    for paragraph in text.split("\n\n")[:6]:
        m = pattern.search(paragraph[:300])
        body = (m.group("body") or m.group("chaired") or "").strip() if m else ""
        body = re.sub(r"^.*?(?:主持召开|召开|主持)|^(?:the|of|and)\s+|\s+(?:the|of|and)$", "", body)
        if body and body not in found and not body.startswith(("Member", "Deputy", "Vice")):
            found.append(body)
    return found[:3]


def _parse_zh(text: str, pub: datetime | None) -> Meeting:
    meeting = Meeting(bodies=_bodies(_ZH_BODY, text))
    head = text[:300]
    m = _ZH_DATE.search(head)
    if m:
        meeting.meeting_date = _resolve_year(int(m.group(2)), int(m.group(3)),
                                             int(m.group(1)) if m.group(1) else None, pub)
    m = _ZH_PRESIDER.search(text[:1500])
    if m:
        title = re.sub(r"^.*?[，。；、]|^新任|^新当选的?", "", m.group("title"))
        meeting.presider, meeting.presider_title = m.group("name"), title
    for m in _ZH_ATTEND.finditer(text[:2000]):
        who = re.split(r"[，,。]", m.group("who"))[-1]
        meeting.attendees += [w for w in who.split("、") if w and w not in meeting.attendees]
    for m in _ZH_AGENDA.finditer(text):
        verb = re.sub(r"^还|了$", "", m.group("verb"))
        gist = _first_sentence(text[m.end():].lstrip("，,：:"), 80)
        meeting.agenda.append(AgendaItem(_ZH_VERBS.get(verb, verb), gist))
    return meeting


def _parse_en(text: str, pub: datetime | None) -> Meeting:
    meeting = Meeting(bodies=_bodies(_EN_BODY, text))
    m = _EN_DATE.search(text[:600])
    if m:
        meeting.meeting_date = _resolve_year(_MONTHS[m.group(1).lower()], int(m.group(2)),
                                             int(m.group(3)) if m.group(3) else None, pub)
    window = text[:3000]
    for pattern in _EN_PRESIDER:
        m = pattern.search(window)
        if m:
            meeting.presider = m.group("name")
            meeting.presider_title = m.group("title").strip()
            break
    for m in _EN_ATTEND.finditer(window):
        who = re.split(r"\b(?:and|,)\s+", m.group("who"))
        meeting.attendees += [w.strip() for w in who if w.strip()]
    for m in _EN_AGENDA.finditer(text):
        verb = _EN_VERBS.get(m.group("verb").lower(), m.group("verb").lower())
        gist = _first_sentence(text[m.end():].lstrip(" ,:").removeprefix("that "), 160)
        meeting.agenda.append(AgendaItem(verb, gist))
    return meeting
