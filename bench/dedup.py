"""Benchmark of the deduplication step (storage/dedup.py + storage/neardup.py).

    .venv/bin/python bench/dedup.py                       # the full run: 100,000 readouts
    .venv/bin/python bench/dedup.py --n 20000 --checkpoints 2000,20000   # a quick one

It reports:
1. precision and recall of the near-duplicate step on the labelled pairs
   (tests/fixtures/storage/pairs.toml), over a range of thresholds;
2. time and peak RSS to deduplicate N synthetic Chinese-like readouts (~2 KB of UTF-8
   each, 5% of them near-duplicates of an earlier one: a source line, a photo caption, an
   editor's line and ~1% of characters changed), through the production code path: exact
   text hash, MinHash signature (computed once, stored), LSH band probes in SQLite;
3. the cost of adding one readout when the archive holds each checkpoint's number of
   readouts (it must not grow with the archive).

The archive here holds what deduplication needs (URL, text hash, signature, bands), not
the text or its search index: that is the storage cost of a crawl, not of dedup.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage import dedup  # noqa: E402
from storage.neardup import NearDupIndex  # noqa: E402
from storage.schema import open_db  # noqa: E402

PAIRS = ROOT / "tests" / "fixtures" / "storage" / "pairs.toml"
CHARS = ("会议研究部署工作要求强调推进发展建设城市经济社会安全生产服务管理群众改革创新项目企业产业"
         "政策资金环境生态保护治理教育医疗卫生交通水利农业乡村振兴文化旅游科技人才市场消费投资开放"
         "合作法治监督责任落实问题整改风险防范应急能力水平质量效益规划实施市委常委政府人大政协主任"
         "书记市长副区县街道社区基层党员干部学习贯彻精神思想理论重要讲话指示批示全面深入扎实持续加"
         "强完善健全提升优化统筹协调坚持确保切实进一步着力加快大力积极稳步有序有效重点关键核心基础")
BOILERPLATE = [
    "会议强调，各级各部门要进一步转变作风、提高效能，坚持以人民为中心的发展思想，聚焦群众急难愁盼问题，"
    "拿出更多务实管用的举措，以钉钉子精神抓好各项工作落实。",
    "市委常委出席，市人大常委会、市政府、市政协有关负责同志列席会议。",
    "会议还研究了其他事项。",
]
DUP_RATE = 20   # every 20th readout is a near-duplicate: 5%


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words = ["".join(rng.choice(CHARS) for _ in range(rng.choice((2, 2, 2, 3, 4))))
             for _ in range(4000)]
    return words, [1.0 / (rank + 1) for rank in range(len(words))]   # Zipf-like


WORDS, WEIGHTS = _vocabulary(random.Random(7))
def _cumulative() -> list[float]:
    out, total = [], 0.0
    for w in WEIGHTS:
        total += w
        out.append(total)
    return out


CUM_WEIGHTS = _cumulative()


def original(n: int) -> str:
    """Readout n: four paragraphs of Zipf-distributed words (~650 characters) + boilerplate."""
    rng = random.Random(n * 1_000_003)
    paras = [f"{1 + n % 12}月{1 + n % 28}日，第{n}次会议召开。"]
    for _ in range(4):
        words = rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=65)
        paras.append("会议指出，" + "".join(words) + "。")
    paras += rng.sample(BOILERPLATE, 2)
    return "\n\n".join(paras)


def reprint(n: int, of: int) -> str:
    """Readout n reprints readout `of`: source line, photo caption, editor's line, ~1% edits."""
    rng = random.Random(n)
    chars = list(original(of))
    for i in rng.sample(range(len(chars)), len(chars) // 100):
        chars[i] = rng.choice(CHARS)
    paras = "".join(chars).split("\n\n")
    paras.insert(0, "来源：江州日报")
    paras.insert(2, "图为会议现场。记者 王磊 摄")
    paras.append("（责任编辑：刘洋）")
    return "\n\n".join(paras)


def text_of(n: int) -> tuple[str, int | None]:
    """The text of synthetic readout n, and which readout it reprints (or None)."""
    if n % DUP_RATE == DUP_RATE - 1:
        of = random.Random(-n).randrange(0, n - 1)
        while of % DUP_RATE == DUP_RATE - 1:
            of -= 1
        return reprint(n, of), of
    return original(n), None


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- 1. labelled pairs ----------------------------------------------------------------------
def labelled_pairs() -> list[str]:
    with PAIRS.open("rb") as f:
        data = tomllib.load(f)
    sigs = {k: dedup.signature(t["text"]) for k, t in data["texts"].items()}
    scored = []
    for p in data["pairs"]:
        a, b = sigs[p["a"]], sigs[p["b"]]
        shares_band = bool(set(dedup.band_hashes(a)) & set(dedup.band_hashes(b)))
        scored.append((p["copy"], shares_band, dedup.similarity(a, b)))
    lines = [f"{len(scored)} labelled pairs: {sum(c for c, _, _ in scored)} copies, "
             f"{sum(not c for c, _, _ in scored)} not copies (zh and en).", "",
             "| threshold | precision | recall | false positives | missed copies |",
             "|---|---|---|---|---|"]
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        found = [(c, band and sim >= threshold) for c, band, sim in scored]
        tp = sum(c and f for c, f in found)
        fp = sum(f and not c for c, f in found)
        fn = sum(c and not f for c, f in found)
        precision = tp / (tp + fp) if tp + fp else 1.0
        mark = " (chosen)" if threshold == dedup.COPY_THRESHOLD else ""
        lines.append(f"| {threshold:.2f}{mark} | {precision:.2f} | {tp / (tp + fn):.2f} | {fp} | {fn} |")
    copies = sorted(s for c, _, s in scored if c)
    others = sorted(s for c, _, s in scored if not c)
    lines += ["", f"Estimated similarity: copies {copies[0]:.3f}–{copies[-1]:.3f}, "
                  f"not copies {others[0]:.3f}–{others[-1]:.3f}."]
    return lines


# -- 2 and 3. the synthetic archive ---------------------------------------------------------
class Bench:
    def __init__(self, path: Path) -> None:
        self.db = open_db(path)
        self.index = NearDupIndex(self.db)
        self.sign_s = self.index_s = 0.0
        self.found: dict[int, int | None] = {}     # readout n -> the readout it was matched to
        self.candidates: list[int] = []

    def place(self, n: int, text: str, sig=None) -> None:  # type: ignore[no-untyped-def]
        """What Archive._place does for a new URL, on the dedup tables only."""
        t0 = time.perf_counter()
        thash = dedup.text_hash(text)
        if sig is None:
            sig = dedup.signature(text)
        t1 = time.perf_counter()
        row = self.db.execute("SELECT id FROM readouts WHERE text_hash = ? LIMIT 1",
                              (thash,)).fetchone()
        match = (row[0], 1.0) if row else self.index.find(sig)
        if match:
            self.found[n] = match[0] - 1
        else:
            self.db.execute("INSERT INTO readouts(id, url, source, first_seen, last_seen, "
                            "text_hash) VALUES (?, ?, 'bench', '2026-01-01', '2026-01-01', ?)",
                            (n + 1, f"http://bench.example/{n}.html", thash))
            self.index.add(n + 1, sig)
        self.sign_s += t1 - t0
        self.index_s += time.perf_counter() - t1

    def run(self, start: int, stop: int, batch: int = 1000) -> None:
        for lo in range(start, stop, batch):
            self.db.execute("BEGIN IMMEDIATE")
            for n in range(lo, min(stop, lo + batch)):
                self.place(n, text_of(n)[0])
            self.db.execute("COMMIT")

    def add_one_cost(self, start: int, count: int) -> tuple[float, float, float]:
        """Median and p95 ms to add one readout (probe + insert, each its own transaction,
        signature excluded: it is a constant ~1.5 ms), and the mean candidates read."""
        times, cands = [], []
        for n in range(start, start + count):
            text = text_of(n)[0]
            sig = dedup.signature(text)
            t0 = time.perf_counter()
            self.db.execute("BEGIN IMMEDIATE")
            cands.append(len(self.index.candidates(sig)))
            self.place(n, text, sig)
            self.db.execute("COMMIT")
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        return statistics.median(times), times[int(len(times) * 0.95)], statistics.mean(cands)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic readouts")
    parser.add_argument("--checkpoints", default="10000,100000",
                        help="archive sizes at which to time adding one readout")
    parser.add_argument("--probe", type=int, default=300, help="readouts timed per checkpoint")
    parser.add_argument("--db", help="database file (default: a temporary one)")
    args = parser.parse_args()
    checkpoints = sorted(int(c) for c in args.checkpoints.split(",") if int(c) <= args.n)

    print("## Near-duplicate step on the labelled pairs\n")
    print("\n".join(labelled_pairs()))

    folder = tempfile.TemporaryDirectory()
    path = Path(args.db) if args.db else Path(folder.name) / "bench.db"
    bench = Bench(path)
    rss_before = peak_rss_mb()
    sample = [len(text_of(n)[0].encode()) for n in range(200)]
    print(f"\n## Deduplicating {args.n:,} synthetic readouts\n")
    print(f"Mean text size {statistics.mean(sample) / 1024:.2f} KB (UTF-8); "
          f"every {DUP_RATE}th is a near-duplicate.\n")
    costs = []
    done, t0 = 0, time.perf_counter()
    timed = 0.0
    for point in checkpoints:
        bench.run(done, point - args.probe if point - args.probe > done else done)
        done = max(done, point - args.probe)
        t1 = time.perf_counter()
        median, p95, cands = bench.add_one_cost(done, min(args.probe, point - done))
        timed += time.perf_counter() - t1
        done = point
        costs.append((point, median, p95, cands))
    bench.run(done, args.n)
    total = time.perf_counter() - t0 - timed
    bench.db.close()

    dups = {n: text_of(n)[1] for n in range(DUP_RATE - 1, args.n, DUP_RATE)}
    hit = sum(1 for n, of in dups.items() if bench.found.get(n) == of)
    false_pos = sum(1 for n in bench.found if n not in dups)
    size_mb = path.stat().st_size / 2**20 + (Path(f"{path}-wal").stat().st_size / 2**20
                                             if Path(f"{path}-wal").exists() else 0)
    print("| measure | value |\n|---|---|")
    print(f"| readouts processed | {args.n:,} ({len(dups):,} near-duplicates) |")
    print(f"| wall time (batches of 1,000, excluding the timed single adds) | {total:.1f} s "
          f"({args.n / total:,.0f} readouts/s) |")
    print(f"| of which MinHash signatures | {bench.sign_s:.1f} s "
          f"({bench.sign_s / args.n * 1000:.2f} ms per readout) |")
    print(f"| of which exact + LSH look-up and insert | {bench.index_s:.1f} s "
          f"({bench.index_s / args.n * 1000:.2f} ms per readout) |")
    print(f"| near-duplicates found (synthetic recall) | {hit:,} / {len(dups):,} "
          f"({hit / len(dups):.4f}) |")
    print(f"| originals wrongly taken for copies | {false_pos} |")
    print(f"| peak RSS | {peak_rss_mb():.0f} MB (after imports: {rss_before:.0f} MB) |")
    print(f"| database size (dedup tables) | {size_mb:.0f} MB |")
    print("\n## Adding one readout\n")
    print("Look-up and insert of one readout in its own transaction, signature excluded "
          f"({args.probe} readouts timed per archive size).\n")
    print("| archive size | median | p95 | candidates read (mean) |\n|---|---|---|---|")
    for point, median, p95, cands in costs:
        print(f"| {point - args.probe:,} | {median:.2f} ms | {p95:.2f} ms | {cands:.2f} |")
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
