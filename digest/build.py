"""Gather everything one week's digest says, from the archive and the references."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from digest import compare, parse, references, themes
from digest.settings import DigestSettings
from digest.weeks import Week, week_of
from storage import reads
from storage.reads import Article, Copy

REFERENCE_MATCHES = 2
HISTORY_MATCHES = 2
HISTORY_LIMIT = 40
TREND_ROWS = 12
RELATED = 0.2  # below this a reference is too unlike the readout for its themes to matter


@dataclass
class Comparison:
    references: list[compare.Match] = field(default_factory=list)
    history: list[compare.Match] = field(default_factory=list)
    gained: list[str] = field(default_factory=list)   # themes this readout has that they all lack
    dropped_history: list[str] = field(default_factory=list)     # earlier readouts' themes it lacks
    dropped_references: list[str] = field(default_factory=list)  # references' themes it lacks
    presider_change: str | None = None


@dataclass
class ReadoutEntry:
    article: Article
    meeting: parse.Meeting
    themes: list[str]
    copies: list[Copy]
    comparison: Comparison


@dataclass
class ThemeTrend:
    theme: str
    this_week: int       # readouts of this week that have it as a theme
    baseline: float      # mean readouts a week mentioning it over the baseline weeks
    weeks_present: int   # baseline weeks with at least one readout mentioning it
    last_seen: str | None = None  # for fading themes: the last week it was a theme


@dataclass
class Update:
    article: Article
    number: int
    diff: list[str]


@dataclass
class Health:
    source: str
    ok: bool
    runs: int
    pages: int
    new_readouts: int
    errors: int
    failing_since: str | None
    last_error: str | None


@dataclass
class WeekDigest:
    week: Week
    timezone: str
    entries: list[ReadoutEntry]
    late: list[ReadoutEntry]
    updates: list[Update]
    new_themes: list[ThemeTrend]
    rising: list[ThemeTrend]
    fading: list[ThemeTrend]
    watch: list[tuple[str, list[int]]]  # term, counts for [this week, 1 week ago, …]
    health: list[Health]
    notable: list[str]


class Phrases:
    """Each readout's ranked phrases, from the archive's cache or computed (and cached)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.known: dict[int, list[tuple[str, int]]] = {}

    def load(self, articles: list[Article]) -> None:
        missing = [a for a in articles if a.id not in self.known]
        self.known.update(reads.cached_phrases(self.db, missing, themes.VERSION))
        fresh = [(a.id, a.text_hash or "", themes.ranked_phrases(a.text, a.language))
                 for a in missing if a.id not in self.known]
        reads.save_phrases(self.db, fresh, themes.VERSION)
        self.known.update({rid: phrases for rid, _, phrases in fresh})

    def of(self, a: Article) -> list[tuple[str, int]]:
        if a.id not in self.known:
            self.load([a])
        return self.known[a.id]


def _lacking(theirs: Counter[str], text: str, limit: int = 6) -> list[str]:
    """Their themes this text never mentions, the most shared first."""
    missing = [(t, n) for t, n in theirs.items() if not themes.mentions(text, t)]
    return [t for t, _ in sorted(missing, key=lambda tn: (-tn[1], tn[0]))[:limit]]


def _presider_change(a: Article, meeting: parse.Meeting, earlier: list[Article]) -> str | None:
    """Who presides over this kind of meeting now, if not the same person as last time."""
    previous = next((h for h in earlier if h.kind == a.kind), None)
    if not (previous and meeting.presider):
        return None
    before = parse.parse(previous.text, previous.language, previous.published)
    if not before.presider or before.presider == meeting.presider:
        return None
    kind = (a.kind or "meeting").replace("_", " ")
    now = f"{meeting.presider} ({meeting.presider_title})" if meeting.presider_title \
        else meeting.presider
    then = f"{before.presider} ({before.presider_title})" if before.presider_title \
        else before.presider
    return f"new presider of the {kind} meeting: {now}, after {then} on {previous.published[:10]}" \
        if previous.published else f"new presider of the {kind} meeting: {now}, after {then}"


def _entry(db: sqlite_utils.Database, a: Article, copies: list[Copy], refs: list[references.Reference],
           phrases: Phrases, settings: DigestSettings) -> ReadoutEntry:
    meeting = parse.parse(a.text, a.language, a.published)
    mine = themes.select(phrases.of(a), a.text, settings.watch_terms)
    comparison = Comparison()
    same_lang = [r for r in refs if r.language == a.language]
    scores = compare.similarities(a.text, [r.text for r in same_lang], a.language)
    ranked = sorted(zip(scores, same_lang, strict=True), key=lambda p: (-p[0], p[1].name))
    ref_themes: Counter[str] = Counter()
    for score, ref in ranked[:REFERENCE_MATCHES]:
        if score >= RELATED:
            ref_themes.update(references.themes_of(ref, settings.watch_terms))
        shared = [t for t in mine if themes.mentions(ref.text, t)]
        comparison.references.append(compare.Match(ref.name, None, score, shared))
    earlier = [h for h in reads.history(db, a.city, a.published_utc or "", HISTORY_LIMIT)
               if h.id != a.id and h.language == a.language]
    phrases.load(earlier)
    scores = compare.similarities(a.text, [h.text for h in earlier], a.language)
    ranked_h = sorted(zip(scores, earlier, strict=True), key=lambda p: (-p[0], p[1].id))
    history_themes: Counter[str] = Counter()
    for score, h in ranked_h[:HISTORY_MATCHES]:
        history_themes.update(themes.select(phrases.of(h), h.text, settings.watch_terms))
        shared = [t for t in mine if themes.mentions(h.text, t)]
        comparison.history.append(compare.Match(h.title, h.url, score, shared))
    compared_texts = [r.text for _, r in ranked[:REFERENCE_MATCHES]] + \
                     [h.text for _, h in ranked_h[:HISTORY_MATCHES]]
    comparison.gained = [t for t in mine if not any(themes.mentions(x, t) for x in compared_texts)]
    comparison.dropped_history = _lacking(history_themes, a.text)
    comparison.dropped_references = _lacking(ref_themes, a.text)
    comparison.presider_change = _presider_change(a, meeting, earlier)
    return ReadoutEntry(a, meeting, mine, copies, comparison)


def _diff(old: str, new: str) -> list[str]:
    split = re.compile(r"(?<=[。！？；.!?])\s*|\n+")
    a = [s for s in split.split(old) if s.strip()]
    b = [s for s in split.split(new) if s.strip()]
    out = []
    for line in difflib.unified_diff(a, b, lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        out.append(line)
    return out[:12]


def _theme_trends(db: sqlite_utils.Database, week: Week, entries: list[ReadoutEntry],
                  refs: list[references.Reference], phrases: Phrases, settings: DigestSettings
                  ) -> tuple[list[ThemeTrend], list[ThemeTrend], list[ThemeTrend],
                             list[tuple[str, list[int]]]]:
    """New, rising and fading themes against the references and the previous weeks, and the
    watched terms week by week. Only the baseline weeks are read (streamed), never the archive."""
    tz, n = settings.tz, settings.baseline_weeks
    start, _ = week.shift(-n).utc_bounds(tz)
    end, _ = week.utc_bounds(tz)
    weeks = [week.shift(-i) for i in range(1, n + 1)]  # 1 week ago first
    by_week: dict[Week, list[Article]] = {w: [] for w in weeks}
    for a in reads.readouts_between_iter(db, start, end):
        w = week_of(a.published_utc or a.first_seen, tz)
        if w in by_week:
            by_week[w].append(a)
    phrases.load([a for w in weeks for a in by_week[w]])

    def weekly(theme: str) -> list[int]:
        return [sum(themes.mentions(a.text, theme) for a in by_week[w]) for w in weeks]

    this_counts: Counter[str] = Counter()
    for e in entries:
        this_counts.update(set(e.themes))
    new, rising = [], []
    for theme, count in sorted(this_counts.items()):
        before = weekly(theme)
        trend = ThemeTrend(theme, count, round(sum(before) / n, 2), sum(1 for c in before if c))
        if trend.weeks_present == 0 and not any(themes.mentions(r.text, theme) for r in refs):
            new.append(trend)
        elif count >= 2 and count > 1.5 * trend.baseline:
            rising.append(trend)
    # A theme of readouts in at least two earlier weeks, one of them recent, now unmentioned.
    present_in: dict[str, set[int]] = {}
    for i, w in enumerate(weeks):
        for a in by_week[w]:
            for theme in themes.select(phrases.of(a), a.text, settings.watch_terms):
                present_in.setdefault(theme, set()).add(i)
    # Only in a language this week's readouts are written in: no English readout this
    # week says nothing about English themes.
    languages = {e.article.language for e in entries}
    fading = []
    for theme, seen in sorted(present_in.items()):
        if ("en" if theme.isascii() else "zh") in languages and len(seen) >= 2 and \
                min(seen) < n // 2 and \
                not any(themes.mentions(e.article.text, theme) for e in entries):
            before = weekly(theme)
            fading.append(ThemeTrend(theme, 0, round(sum(before) / n, 2),
                                     sum(1 for c in before if c), str(weeks[min(seen)])))
    key = lambda t: (-t.this_week, -t.baseline, t.theme)  # noqa: E731
    watch = [(term, [sum(themes.mentions(e.article.text, term) for e in entries), *weekly(term)])
             for term in settings.watch_terms]
    return (sorted(new, key=key)[:TREND_ROWS], sorted(rising, key=key)[:TREND_ROWS],
            sorted(sorted(fading, key=lambda t: (-t.baseline, t.theme)),
                   key=lambda t: t.last_seen or "", reverse=True)[:TREND_ROWS], watch)


def _health(db: sqlite_utils.Database, week: Week, settings: DigestSettings) -> list[Health]:
    start, end = week.utc_bounds(settings.tz)
    runs = reads.runs(db, start, end)
    names = sorted(set(settings.sources) | {r.source for r in runs})
    out = []
    for name in names:
        mine = [r for r in runs if r.source == name]
        last = mine[-1] if mine else reads.last_run_before(db, name, end)
        ok = last is not None and last.status == "ok"
        errors = [r.error for r in mine if r.error]
        out.append(Health(
            source=name, ok=ok, runs=len(mine), pages=sum(r.pages for r in mine),
            new_readouts=sum(r.new_readouts for r in mine), errors=sum(r.errors for r in mine),
            failing_since=None if ok else reads.failing_since(db, name, end),
            last_error=errors[-1] if errors else (last.error if last and not ok else None)))
    return out


def late_arrivals(db: sqlite_utils.Database, week: Week, settings: DigestSettings,
                  first_write: bool) -> list[Article]:
    """Readouts of earlier weeks archived after their own week's digest was first written."""
    assigned = reads.readouts_late_for(db, str(week))
    if not first_write:
        return assigned
    written = reads.digests(db)
    start, _ = week.utc_bounds(settings.tz)
    fresh = []
    for a in reads.late_candidates(db, start):
        own = written.get(str(week_of(a.published_utc or a.first_seen, settings.tz)))
        if own and a.first_seen > own["first_written_at"]:
            fresh.append(a)
    return assigned + fresh


def _notable(entries: list[ReadoutEntry], new: list[ThemeTrend], rising: list[ThemeTrend],
             fading: list[ThemeTrend]) -> list[str]:
    """The three most notable changes: who presides first (once per city and meeting kind),
    then themes by weight."""
    out, seen = [], set()
    for e in entries:
        key = (e.article.city, e.article.kind)
        if e.comparison.presider_change and key not in seen:
            seen.add(key)
            out.append(f"{e.article.city}: {e.comparison.presider_change}")
    out += [f"New theme: {t.theme} ({t.this_week} readouts)" for t in new if t.this_week >= 2]
    out += [f"Rising theme: {t.theme} ({t.this_week} readouts, {t.baseline:g} a week before)"
            for t in rising]
    out += [f"Fading theme: {t.theme} (not mentioned this week; last a theme in {t.last_seen})"
            for t in fading]
    out += [f"New theme: {t.theme} ({t.this_week} readout)" for t in new if t.this_week < 2]
    return out[:3]


def build(db: sqlite_utils.Database, week: Week, settings: DigestSettings,
          now: datetime) -> WeekDigest:
    tz = settings.tz
    start, end = week.utc_bounds(tz)
    written = reads.digests(db).get(str(week))
    published = reads.readouts_published(db, start, end)
    if written:  # readouts archived after this week's first digest are someone's late arrivals
        published = [a for a in published if a.first_seen <= written["first_written_at"]]
    late = late_arrivals(db, week, settings, first_write=written is None)
    refs = references.load(settings.references)
    copies = reads.copies_of(db, [a.id for a in published + late])
    phrases = Phrases(db)
    phrases.load(published + late)
    entries = [_entry(db, a, copies[a.id], refs, phrases, settings) for a in published]
    late_entries = [_entry(db, a, copies[a.id], refs, phrases, settings) for a in late]
    updates = []
    for old, new in reads.revisions_seen(db, start, end):
        updates.append(Update(reads.article(db, new.readout_id), new.number, _diff(old.text, new.text)))
    new_t, rising, fading, watch = _theme_trends(db, week, entries, refs, phrases, settings)
    return WeekDigest(week, settings.timezone, entries, late_entries, updates, new_t, rising,
                      fading, watch, _health(db, week, settings),
                      _notable(entries, new_t, rising, fading))
