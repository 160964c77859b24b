"""Render a WeekDigest to Markdown: YAML front matter, then the six fixed H2 sections.

Everything crawled goes through `markdown.text()` / `markdown.link()`; the output is a
pure function of the WeekDigest (no clock), so the same archive gives the same bytes.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from digest import markdown as md
from digest.build import ReadoutEntry, WeekDigest

SECTIONS = ("Summary", "New readouts", "Themes", "Updated readouts", "Late arrivals",
            "Crawl health")
NONE = "None this week."
VERBS = {"pointed_out": "pointed out", "emphasized": "emphasized", "required": "required",
         "listened": "listened to", "reviewed": "reviewed", "approved": "approved",
         "studied": "studied", "conveyed": "conveyed", "decided": "decided", "noted": "noted",
         "called": "called for", "deployed": "deployed"}


def _kind(kind: str | None) -> str:
    return (kind or "meeting").replace("_", " ")


def _local(iso: str | None, tz: str) -> str:
    if not iso:
        return "unknown"
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def front_matter(d: WeekDigest) -> str:
    ok = sorted(h.source for h in d.health if h.ok)
    failed = sorted(h.source for h in d.health if not h.ok)
    fields = {
        "week": str(d.week), "period_start": d.week.monday().isoformat(),
        "period_end": d.week.sunday().isoformat(), "timezone": d.timezone,
        "readouts": len(d.entries), "updated": len(d.updates), "late": len(d.late),
        "sources_ok": ok, "sources_failed": failed,
    }
    # JSON scalars and flow lists are valid YAML, and json.dumps quotes every string safely.
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def _summary(d: WeekDigest) -> str:
    if not d.entries and not d.updates and not d.late:
        return NONE
    counts = Counter((e.article.city, _kind(e.article.kind)) for e in d.entries)
    parts = [f"{len(d.entries)} new readouts, {len(d.updates)} updated, {len(d.late)} late."]
    if counts:
        rows = [[md.text(city), md.text(kind), str(n)] for (city, kind), n in sorted(counts.items())]
        parts.append(md.table(["City", "Meeting", "Readouts"], rows))
    if d.notable:
        parts.append("Most notable:\n\n" + "\n".join(f"- {md.text(n)}" for n in d.notable))
    return "\n\n".join(parts)


def _entry(e: ReadoutEntry, tz: str) -> str:
    a, m, c = e.article, e.meeting, e.comparison
    lines = [f"#### {md.text(a.title or '(untitled)')}", ""]
    lines.append(f"- Published: {_local(a.published, tz)}")
    meeting_date = m.meeting_date.isoformat() if m.meeting_date else "unknown"
    body = f"{md.text('; '.join(m.bodies))} ({_kind(a.kind)})" if m.bodies else _kind(a.kind)
    lines.append(f"- Meeting: {body}, held {meeting_date}")
    if m.presider:
        title = f" ({md.text(m.presider_title)})" if m.presider_title else ""
        lines.append(f"- Presided by: {md.text(m.presider)}{title}")
    else:
        lines.append("- Presided by: not stated")
    if m.attendees:
        lines.append(f"- Attended: {md.text('; '.join(m.attendees), 200)}")
    lines.append(f"- Source: {md.link(a.source, a.url)}")
    if e.copies:
        also = ", ".join(f"{md.link(cp.source, cp.url)} (similarity {cp.similarity:.2f})"
                         for cp in e.copies)
        lines.append(f"- Also published at: {also}")
    lines.append(f"- Themes: {md.text('; '.join(e.themes)) if e.themes else 'none found'}")
    if m.agenda:
        lines.append("- Agenda:")
        lines += [f"  {i}. {VERBS.get(item.verb, md.text(item.verb))}: {md.text(item.gist, 160)}"
                  for i, item in enumerate(m.agenda, 1)]
    for label, matches in (("Closest references", c.references),
                           (f"Closest earlier {a.city} readouts", c.history)):
        if matches:
            lines.append(f"- {md.text(label)}:")
            for match in matches:
                name = md.link(match.name, match.url) if match.url else md.text(match.name)
                shared = f"; shared: {md.text(', '.join(match.shared))}" if match.shared else ""
                lines.append(f"  - {name} (score {match.score:.2f}{shared})")
    if c.gained and (c.references or c.history):
        lines.append(f"- Themes none of these have: {md.text('; '.join(c.gained))}")
    if c.dropped_history:
        lines.append(f"- Themes of the earlier readouts missing here: "
                     f"{md.text('; '.join(c.dropped_history))}")
    if c.dropped_references:
        lines.append(f"- Themes of the references missing here: "
                     f"{md.text('; '.join(c.dropped_references))}")
    if c.presider_change:
        lines.append(f"- Presider change: {md.text(c.presider_change)}")
    return "\n".join(lines)


def _entries(entries: list[ReadoutEntry], tz: str) -> str:
    if not entries:
        return NONE
    blocks = []
    for city in sorted({e.article.city for e in entries}):
        blocks.append(f"### {md.text(city)}")
        blocks += [_entry(e, tz) for e in entries if e.article.city == city]
    return "\n\n".join(blocks)


def _themes(d: WeekDigest) -> str:
    parts = []
    weeks = len(d.watch[0][1]) - 1 if d.watch else 8
    headers = ["Theme", "Readouts this week", f"Weekly mean, previous {weeks} weeks",
               "Weeks mentioned"]
    for label, trends in (("New (never seen in the references or the previous weeks)",
                           d.new_themes), ("Rising", d.rising)):
        if trends:
            rows = [[md.text(t.theme), str(t.this_week), f"{t.baseline:.2f}", str(t.weeks_present)]
                    for t in trends]
            parts.append(f"{label}:\n\n" + md.table(headers, rows))
    if d.fading:
        rows = [[md.text(t.theme), f"{t.baseline:.2f}", str(t.weeks_present), md.text(t.last_seen)]
                for t in d.fading]
        parts.append("Fading (not mentioned this week):\n\n" + md.table(
            ["Theme", f"Weekly mean, previous {weeks} weeks", "Weeks mentioned",
             "Last a theme in"], rows))
    if d.watch:
        weeks = [f"{d.week} (this week)"] + [f"W{d.week.shift(-i).number:02d}"
                                              for i in range(1, len(d.watch[0][1]))]
        rows = [[md.text(term)] + [str(n) for n in counts] for term, counts in d.watch]
        parts.append("Watched terms (readouts mentioning them):\n\n" + md.table(["Term", *weeks], rows))
    return "\n\n".join(parts) if parts else NONE


def _updates(d: WeekDigest, tz: str) -> str:
    if not d.updates:
        return NONE
    blocks = []
    for u in d.updates:
        lines = [f"- {md.link(u.article.title or u.article.url, u.article.url)}: revision {u.number}"
                 f" ({md.text(u.article.source)})"]
        lines += [f"  - {'added' if line[0] == '+' else 'removed'}: {md.text(line[1:], 200)}"
                  for line in u.diff]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _late(d: WeekDigest, tz: str) -> str:
    if not d.late:
        return NONE
    return "\n\n".join(_entry(e, tz) for e in d.late)


def _health(d: WeekDigest) -> str:
    if not d.health:
        return NONE
    rows = []
    for h in d.health:
        if h.runs == 0 and h.ok:
            state = "ok (no crawl this week)"
        elif h.ok:
            state = "ok"
        else:
            state = f"failing since {h.failing_since}" if h.failing_since else "failing"
        rows.append([md.text(h.source), md.text(state), str(h.runs), str(h.pages),
                     str(h.new_readouts), str(h.errors), md.text(h.last_error or "", 160)])
    return md.table(["Source", "State", "Crawls", "Pages", "New readouts", "Errors", "Last error"],
                    rows)


def render(d: WeekDigest) -> str:
    tz = d.timezone
    bodies = {
        "Summary": _summary(d), "New readouts": _entries(d.entries, tz), "Themes": _themes(d),
        "Updated readouts": _updates(d, tz), "Late arrivals": _late(d, tz),
        "Crawl health": _health(d),
    }
    out = [front_matter(d), f"# Readouts digest {d.week}", ""]
    for name in SECTIONS:
        out += [f"## {name}", "", bodies[name], ""]
    return "\n".join(out)
