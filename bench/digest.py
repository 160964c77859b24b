"""Time and peak memory to write one week's digest from an archive of 100,000 readouts.

    .venv/bin/python -m bench.digest [--readouts 100000] [--per-week 200] [--db PATH]

(run from the repository root; as a module, so that bench/digest.py does not shadow the
digest package).

The archive is synthetic: rows are inserted straight into a real (migrated) database with
sqlite-utils, because storing 100,000 pages through Archive.store() (MinHash, FTS
segmentation) would take far longer than the digest being measured. Readouts are spread
over 20 cities (Chinese and English), `--per-week` a week, the newest week being the one
written. Each text is assembled from a pool of sentences, so themes recur and fade like
real ones.

Measured: a cold write (no cached themes: every readout of the week and of the 8-week
baseline is segmented), then a warm rewrite (themes cached in readout_themes). Peak memory
is the process's peak RSS (ru_maxrss) above what it was after loading jieba and
scikit-learn, so it is what the digest itself holds.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest import compare, themes, write
from digest.settings import DigestSettings
from digest.weeks import Week
from storage.schema import open_db

WEEK = Week(2026, 47)
TZ = "Asia/Shanghai"
CITIES_ZH = ["青川", "白鹭", "澜州", "溪山", "枫城", "石湾", "墨河", "鹿鸣", "桐江", "雁湖"]
CITIES_EN = ["Riverton", "Harborview", "Lakeside", "Pinecrest", "Mapleton", "Stonebay",
             "Inkriver", "Deerfield", "Tongwater", "Swanlake"]
KINDS = ["party_standing_committee", "government_executive", "congress_standing_committee"]
ZH_TOPICS = ["乡村振兴", "安全生产", "营商环境", "城市更新", "新能源汽车", "共同富裕", "防汛抗旱",
             "疫情防控", "港口物流", "冬季供暖", "数字经济", "生态环境保护", "高标准农田", "招商引资"]
EN_TOPICS = ["rural revitalization", "work safety", "business environment", "urban renewal",
             "new energy vehicle industry", "common prosperity", "flood control",
             "epidemic prevention", "port logistics", "winter heating", "digital economy",
             "ecological and environmental protection", "high-standard farmland",
             "investment promotion"]
ZH_PEOPLE = ["林国栋", "苏晓峰", "何振华", "钱立新", "彭雪梅", "宋伟", "韩晓光", "冯志强"]
EN_PEOPLE = ["Lin Guodong", "Su Xiaofeng", "He Zhenhua", "Qian Lixin", "Peng Xuemei",
             "Song Wei", "Han Xiaoguang", "Feng Zhiqiang"]


def _zh_text(rng: random.Random, day: datetime, topics: list[str], who: str) -> str:
    parts = [f"{day.month}月{day.day}日，市委常委会召开会议。市委书记{who}主持会议并讲话。"]
    for t in topics:
        parts.append(f"会议听取了全市{t}工作情况汇报。会议指出，{t}事关全市发展大局，要把{t}摆在突出位置，"
                     f"第{rng.randint(1, 99)}批{t}重点项目要加快推进，确保{t}取得实效。")
        parts.append(f"会议强调，要压实{t}责任，健全{t}推进机制，推动{t}工作再上新台阶。")
    return "\n\n".join(parts)


def _en_text(rng: random.Random, day: datetime, topics: list[str], who: str) -> str:
    parts = [f"On {day.strftime('%B')} {day.day}, the Standing Committee of the Municipal Party "
             f"Committee held a meeting. {who}, Secretary of the Municipal Party Committee, "
             "presided over the meeting."]
    for t in topics:
        parts.append(f"The meeting listened to a report on {t}. The meeting pointed out that "
                     f"{t} bears on the overall development of the city, and that batch "
                     f"{rng.randint(1, 99)} of key {t} projects must be accelerated.")
        parts.append(f"The meeting emphasized that responsibilities for {t} must be fulfilled "
                     f"and the mechanisms for {t} improved.")
    return "\n\n".join(parts)


def build_archive(path: Path, total: int, per_week: int) -> None:
    db = open_db(path)
    rng = random.Random(5)
    weeks = -(-total // per_week)
    rows = []
    for i in range(total):
        week = WEEK.shift(-(i // per_week))
        zh = i % 2 == 0
        city = (CITIES_ZH if zh else CITIES_EN)[(i // 2) % 10]
        day = datetime.combine(week.monday(), datetime.min.time()) + timedelta(
            days=rng.randint(0, 6), hours=rng.randint(1, 12))
        # Themes drift: the week's position picks which topics are in season.
        season = (i // per_week) % len(ZH_TOPICS)
        picks = sorted({(season + rng.randint(0, 4)) % len(ZH_TOPICS) for _ in range(3)})
        who = (ZH_PEOPLE if zh else EN_PEOPLE)[((i // 2) % 10 + i // (per_week * 26)) % 8]
        text = _zh_text(rng, day, [ZH_TOPICS[p] for p in picks], who) if zh else \
            _en_text(rng, day, [EN_TOPICS[p] for p in picks], who)
        published = day.replace(tzinfo=UTC).isoformat(timespec="seconds")
        rows.append({
            "url": f"http://{i % 20}.example/{i}.html", "source": f"src-{i % 20}", "city": city,
            "language": "zh" if zh else "en", "title": f"{city} meeting {i}",
            "published": published, "published_utc": published, "first_seen": published,
            "last_seen": published, "is_readout": 1, "kind": KINDS[i % 3], "text": text,
            "markdown": "", "text_hash": hashlib.sha256(text.encode()).hexdigest(),
            "revision": 1, "search_title": "", "search_text": "",
        })
        if len(rows) == 5000:
            db["readouts"].insert_all(rows)
            rows = []
    db["readouts"].insert_all(rows)
    print(f"archive: {total} readouts over {weeks} weeks in {path} "
          f"({path.stat().st_size / 2**20:.0f} MiB)")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readouts", type=int, default=100_000)
    parser.add_argument("--per-week", type=int, default=200)
    parser.add_argument("--db", type=Path, default=Path("/tmp/readouts-bench/digest.db"))
    args = parser.parse_args()
    if not args.db.exists():
        started = time.perf_counter()
        build_archive(args.db, args.readouts, args.per_week)
        print(f"built in {time.perf_counter() - started:.0f} s")
    db = open_db(args.db)
    db.execute("DELETE FROM digests")
    db.execute("DELETE FROM readout_themes")
    out = args.db.parent / "digests"
    settings = DigestSettings(output_dir=out, timezone=TZ,
                              watch_terms=("rural revitalization", "乡村振兴", "flood control"))
    # Load what every digest needs before measuring: jieba's dictionary, scikit-learn.
    themes.themes("乡村振兴工作", "zh")
    compare.similarities("乡村振兴", ["乡村振兴"], "zh")
    base = _rss_mib()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    count = db.execute("SELECT COUNT(*) FROM readouts").fetchone()[0]
    for label in ("cold (no cached themes)", "warm (themes cached)"):
        started = time.perf_counter()
        path = write.write_week(db, WEEK, settings, now)
        elapsed = time.perf_counter() - started
        listed = path.read_text(encoding="utf-8").count("\n#### ")
        print(f"{label}: {elapsed:.1f} s, peak RSS +{_rss_mib() - base:.0f} MiB "
              f"(base {base:.0f} MiB), {listed} readouts listed of {count} archived")


if __name__ == "__main__":
    main()
