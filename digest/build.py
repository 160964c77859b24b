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


@dataclass
class Comparison:
    references: list[compare.Match] = field(default_factory=list)
    history: list[compare.Match] = field(default_factory=list)
    gained: list[str] = field(default_factory=list)   # themes this readout has that they lack
    dropped: list[str] = field(default_factory=list)  # themes they had that this one lacks
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
    this_week: int
    baseline: float   # mean readouts a week over the baseline weeks


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


def _entry(db: sqlite_utils.Database, a: Article, copies: list[Copy], refs: list[references.Reference],
           settings: DigestSettings) -> ReadoutEntry:
    meeting = parse.parse(a.text, a.language, a.published)
    mine = themes.themes(a.text, a.language, settings.watch_terms)
    comparison = Comparison()
    same_lang = [r for r in refs if r.language == a.language]
    scores = compare.similarities(a.text, [r.text for r in same_lang], a.language)
    ranked = sorted(zip(scores, same_lang, strict=True), key=lambda p: (-p[0], p[1].name))
    other_themes: set[str] = set()
    for score, ref in ranked[:REFERENCE_MATCHES]:
        theirs = themes.themes(ref.text, ref.language, settings.watch_terms)
        other_themes.update(theirs)
        shared = [t for t in mine if themes.mentions(ref.text, t)]
        comparison.references.append(compare.Match(ref.name, None, score, shared))
    earlier = [h for h in reads.history(db, a.city, a.published_utc or "", HISTORY_LIMIT)
               if h.id != a.id and h.language == a.language]
    scores = compare.similarities(a.text, [h.text for h in earlier], a.language)
    ranked_h = sorted(zip(scores, earlier, strict=True), key=lambda p: (-p[0], p[1].id))
    for score, h in ranked_h[:HISTORY_MATCHES]:
        other_themes.update(themes.themes(h.text, h.language, settings.watch_terms))
        shared = [t for t in mine if themes.mentions(h.text, t)]
        comparison.history.append(compare.Match(h.title, h.url, score, shared))
    compared_texts = [r.text for _, r in ranked[:REFERENCE_MATCHES]] + \
                     [h.text for _, h in ranked_h[:HISTORY_MATCHES]]
    comparison.gained = [t for t in mine if not any(themes.mentions(x, t) for x in compared_texts)]
    comparison.dropped = sorted(t for t in other_themes if not themes.mentions(a.text, t))[:6]
    previous = next((h for h in earlier if h.kind == a.kind), None)
    if previous and meeting.presider:
        before = parse.parse(previous.text, previous.language, previous.published)
        if before.presider and before.presider != meeting.presider:
            comparison.presider_change = (
                f"{meeting.presider} ({meeting.presider_title or 'no title'}) presided; the "
                f"previous {(a.kind or 'meeting').replace('_', ' ')} was presided over by "
                f"{before.presider} ({before.presider_title or 'no title'})")
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
                  refs: list[references.Reference], settings: DigestSettings
                  ) -> tuple[list[ThemeTrend], list[ThemeTrend], list[ThemeTrend],
                             list[tuple[str, list[int]]]]:
    tz = settings.tz
    n = settings.baseline_weeks
    start, _ = week.shift(-n).utc_bounds(tz)
    end, _ = week.utc_bounds(tz)
    past = list(reads.readouts_between_iter(db, start, end))
    by_week: dict[Week, list[Article]] = {week.shift(-i): [] for i in range(1, n + 1)}
    for a in past:
        by_week.setdefault(week_of(a.published_utc or a.first_seen, tz), []).append(a)
    this_counts: Counter[str] = Counter()
    for e in entries:
        this_counts.update(set(e.themes))
    baseline_texts = [r.text for r in refs] + [a.text for a in past]
    trends_new, rising, fading = [], [], []
    for theme, count in sorted(this_counts.items()):
        weekly = [sum(themes.mentions(a.text, theme) for a in by_week.get(week.shift(-i), []))
                  for i in range(1, n + 1)]
        mean = sum(weekly) / n
        trend = ThemeTrend(theme, count, round(mean, 2))
        if not any(themes.mentions(t, theme) for t in baseline_texts):
            trends_new.append(trend)
        elif count >= 2 and count > 1.5 * mean:
            rising.append(trend)
    past_themes: Counter[str] = Counter()
    for i in range(1, n + 1):
        week_themes: set[str] = set()
        for a in by_week.get(week.shift(-i), []):
            week_themes.update(themes.themes(a.text, a.language, settings.watch_terms))
        past_themes.update(week_themes)
    for theme, weeks_present in sorted(past_themes.items()):
        if weeks_present >= 2 and not any(themes.mentions(e.article.text, theme) for e in entries):
            mean = sum(sum(themes.mentions(a.text, theme) for a in by_week.get(week.shift(-i), []))
                       for i in range(1, n + 1)) / n
            fading.append(ThemeTrend(theme, 0, round(mean, 2)))
    key = lambda t: (-t.this_week, -t.baseline, t.theme)  # noqa: E731
    watch = []
    for term in settings.watch_terms:
        counts = [sum(themes.mentions(e.article.text, term) for e in entries)]
        counts += [sum(themes.mentions(a.text, term) for a in by_week.get(week.shift(-i), []))
                   for i in range(1, n + 1)]
        watch.append((term, counts))
    return (sorted(trends_new, key=key), sorted(rising, key=key),
            sorted(fading, key=lambda t: (-t.baseline, t.theme)), watch)


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
    entries = [_entry(db, a, copies[a.id], refs, settings) for a in published]
    late_entries = [_entry(db, a, copies[a.id], refs, settings) for a in late]
    updates = []
    for old, new in reads.revisions_seen(db, start, end):
        updates.append(Update(reads.article(db, new.readout_id), new.number, _diff(old.text, new.text)))
    new_t, rising, fading, watch = _theme_trends(db, week, entries, refs, settings)
    health = _health(db, week, settings)
    notable = [f"{e.article.city}: {e.comparison.presider_change}" for e in entries
               if e.comparison.presider_change]
    notable += [f"New theme: {t.theme} ({t.this_week} readouts)" for t in new_t]
    notable += [f"Rising theme: {t.theme} ({t.this_week} readouts, {t.baseline:g} a week before)"
                for t in rising]
    notable += [f"Fading theme: {t.theme} (absent, {t.baseline:g} a week before)" for t in fading]
    return WeekDigest(week, settings.timezone, entries, late_entries, updates, new_t, rising,
                      fading, watch, health, notable[:3])
