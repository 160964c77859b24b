"""Crawl throughput: a bare Scrapy spider against the full `readouts` crawl, on generated sites.

    .venv/bin/python bench/crawl.py [--light N] [--portal N]

Serves two generated sites on 127.0.0.1 from a separate process — a light one (about
5 KB of text a page, little markup) and a portal-weight one (about 60 KB of HTML a page,
mostly navigation and link lists) — and for each reports, in the same run:
(a) a bare Scrapy spider that only follows the list and article links, (b) the full
crawl (extraction, classification, SQLite storage; politeness off) in pages/s, CPU ms per
page (the crawl's whole process tree) and peak RSS (sum over the tree); and, on the portal
pages, the CPU ms per page of our reading (extract + classify) against trafilatura's own
Markdown extraction of the same pages.
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.demo import content  # noqa: E402
from service.demo.content import TZ  # noqa: E402

HOST = "127.0.0.1"
PER_LIST = 30
VERBOSE = "-v" in sys.argv
NEWEST = datetime(2022, 11, 30, 9, 0, tzinfo=TZ)


# -- the generated sites ---------------------------------------------------------------------
def _texts() -> tuple[list[str], list[str]]:
    """Titles and sentences of the Chinese demo articles."""
    arts = [a for src in ("jiangzhou-zh", "yungang-zh") for a in content.load(src)]
    sentences = [s + "。" for a in arts for p in a.paragraphs for s in p.split("。") if len(s) > 10]
    return [a.title for a in arts], sentences


def _article_path(i: int) -> tuple[str, datetime]:
    day = NEWEST - timedelta(days=i // 5)
    return f"/xw/{day:%Y%m}/t{day:%Y%m%d}_{100000 + i}.html", day


def _body(i: int, texts: tuple[list[str], list[str]], chars: int) -> tuple[str, list[str]]:
    """A unique text of about `chars` characters: demo sentences drawn at random (seeded)."""
    titles, sentences = texts
    pick = random.Random(i)
    paras: list[str] = []
    while sum(map(len, paras)) < chars:
        paras.append("".join(pick.sample(sentences, 3)))
    return f"{titles[i % len(titles)]}（{i}）", paras


def _nav(n_links: int) -> str:
    words = ["政务公开", "政策文件", "政策解读", "办事服务", "互动交流", "数据开放", "专题专栏", "部门动态",
             "区县动态", "通知公告", "人事信息", "财政预决算"]
    cols = []
    for c, word in enumerate(words):
        links = "".join(f'<li><a href="/col/{c}/{j}.html" title="{word}栏目第{j}项">{word}第{j}项内容链接</a></li>'
                        for j in range(n_links // len(words)))
        cols.append(f'<div class="col"><h4>{word}</h4><ul>{links}</ul></div>')
    return f'<div class="nav">{"".join(cols)}</div>'


def build_site(kind: str, n: int) -> dict[str, bytes]:
    texts = _texts()
    nav = _nav(430) if kind == "portal" else ""
    pages: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    paths = []
    for i in range(n):
        path, day = _article_path(i)
        title, paras = _body(i, texts, 1700 if kind == "light" else 900)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        page = (f'<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body>{nav}'
                f"<h1>{html.escape(title)}</h1><div class=\"info\">发布时间：{day:%Y-%m-%d %H:%M}</div>"
                f'<div class="content">{body}</div>{nav[:len(nav) // 3]}</body></html>')
        pages[path] = page.encode()
        paths.append((path, title, day))
    lists = [paths[i:i + PER_LIST] for i in range(0, n, PER_LIST)]
    for k, chunk in enumerate(lists):
        rows = "".join(f'<li><a href="{p}">{html.escape(t)}</a><span>{d:%Y-%m-%d}</span></li>'
                       for p, t, d in chunk)
        nxt = f'<a href="/xw/index_{k + 1}.html">下一页</a>' if k + 1 < len(lists) else ""
        name = "/xw/index.html" if k == 0 else f"/xw/index_{k}.html"
        pages[name] = (f'<html><head><meta charset="utf-8"><title>要闻</title></head><body>{nav}'
                       f"<ul>{rows}</ul>{nxt}</body></html>").encode()
    return pages


def _serve(kind: str, n: int, port_out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from service.demo.server import Reply, SiteServer

    pages = build_site(kind, n)
    headers = {"Content-Type": "text/html; charset=utf-8"}

    def route(host: str, path: str) -> Reply:
        body = pages.get(path)
        return Reply(200, body, headers) if body is not None else Reply(404, b"")

    with SiteServer(route) as server:
        port_out.put(server.port)
        threading.Event().wait()


# -- measuring a crawl child ------------------------------------------------------------------
def run_measured(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds and peak RSS (bytes, summed over the tree) of a command.

    The peak of each process of the tree goes to stderr (with -v).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    each: dict[int, int] = {}
    root = psutil.Process(proc.pid)
    stop = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                sizes = {p.pid: p.memory_info().rss for p in tree}
                peak = max(peak, sum(sizes.values()))
                for pid, rss in sizes.items():
                    each[pid] = max(each.get(pid, 0), rss)
            except psutil.Error:
                pass
            stop.wait(0.05)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    poller.join()
    if VERBOSE:
        print(f"  per-process peak RSS (MB): {[round(v / 2**20) for v in each.values()]}", file=sys.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed with exit {proc.returncode}")
    return wall, cpu, peak, out


def bare_spider(port: int) -> None:
    """(a): follow list and article links, nothing else. Prints the pages fetched."""
    import re

    import scrapy
    from scrapy.crawler import CrawlerProcess

    follow = re.compile(r"/xw/(index_\d+|\d{6}/t\d{8}_\d+)\.html$")

    class Bare(scrapy.Spider):
        name = "bare"
        async def start(self):  # type: ignore[no-untyped-def]
            yield scrapy.Request(f"http://{HOST}:{port}/xw/index.html")

        def parse(self, response):  # type: ignore[no-untyped-def]
            for href in response.css("a::attr(href)").getall():
                if follow.search(href):
                    yield response.follow(href, self.parse)

    process = CrawlerProcess(settings={"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                                       "TELNETCONSOLE_ENABLED": False})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    print(json.dumps({"pages": crawler.stats.get_value("response_received_count")}))


def full_crawl(port: int, folder: Path) -> list[str]:
    config = folder / "readouts.toml"
    config.write_text(f"""
[storage]
database = "readouts.db"

[[sources]]
name = "bench"
city = "Bench"
language = "zh"
start_urls = ["http://{HOST}:{port}/xw/index.html"]
max_pages = 1000
obey_robots = true
download_delay = 0
""", encoding="utf-8")
    return [sys.executable, "-m", "service.crawl_process", "--config", str(config), "--no-polite"]


def measure_site(kind: str, n: int) -> dict[str, float]:
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=_serve, args=(kind, n, queue), daemon=True)
    server.start()
    port = queue.get(timeout=120)
    try:
        wall, cpu, rss, out = run_measured([sys.executable, __file__, "--bare", str(port)])
        bare_pages = json.loads(out.strip().splitlines()[-1])["pages"]
        result = {"bare_pages": bare_pages, "bare_pps": bare_pages / wall,
                  "bare_cpu_ms": 1000 * cpu / bare_pages, "bare_rss_mb": rss / 2**20}
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu, rss, out = run_measured(full_crawl(port, Path(tmp)))
        outcome = json.loads(out.strip().splitlines()[-1])
        pages = outcome["pages"]
        result.update({"full_pages": pages, "full_pps": pages / wall, "full_cpu_ms": 1000 * cpu / pages,
                       "full_rss_mb": rss / 2**20, "new_articles": outcome["new_articles"]})
    finally:
        server.terminate()
    return result


def reading_cost(n: int = 150) -> dict[str, float]:
    """CPU ms per portal-weight page: our reading vs trafilatura's Markdown extraction."""
    import trafilatura

    from crawler.reading import ReadRequest, read_article

    pages = [(p, b.decode()) for p, b in build_site("portal", n).items() if "/t20" in p]
    size = sum(len(h.encode()) for _, h in pages) / len(pages)
    read_article(ReadRequest(pages[0][1], "http://x" + pages[0][0], "Asia/Shanghai", "zh", None, None, None))
    trafilatura.extract(pages[0][1], output_format="markdown")
    start = time.process_time()
    for path, page in pages:
        read_article(ReadRequest(page, "http://x" + path, "Asia/Shanghai", "zh", None, None, None))
    ours = time.process_time() - start
    start = time.process_time()
    for _, page in pages:
        trafilatura.extract(page, output_format="markdown")
    theirs = time.process_time() - start
    return {"page_kb": size / 1024, "ours_ms": 1000 * ours / len(pages),
            "trafilatura_ms": 1000 * theirs / len(pages)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--light", type=int, default=3000)
    parser.add_argument("--portal", type=int, default=1000)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("-v", action="store_true", help="per-process peak RSS")
    args = parser.parse_args()
    if args.bare:
        bare_spider(args.bare)
        return
    print(f"machine: {psutil.cpu_count()} cores, load average {psutil.getloadavg()}")
    for kind, n in (("light", args.light), ("portal", args.portal)):
        r = measure_site(kind, n)
        print(f"\n{kind} site, {n} articles:")
        print(f"  (a) bare spider  {r['bare_pages']:5d} pages  {r['bare_pps']:6.1f} pages/s  "
              f"{r['bare_cpu_ms']:5.2f} CPU ms/page  peak RSS {r['bare_rss_mb']:4.0f} MB")
        print(f"  (b) full crawl   {r['full_pages']:5d} pages  {r['full_pps']:6.1f} pages/s  "
              f"{r['full_cpu_ms']:5.2f} CPU ms/page  peak RSS {r['full_rss_mb']:4.0f} MB  "
              f"({r['new_articles']} new articles)")
        print(f"  full/bare pages/s: {r['full_pps'] / r['bare_pps']:.2f}")
    cost = reading_cost()
    print(f"\nportal-weight pages ({cost['page_kb']:.0f} KB): our extract+classify "
          f"{cost['ours_ms']:.2f} CPU ms/page, trafilatura markdown {cost['trafilatura_ms']:.2f} "
          f"CPU ms/page ({cost['trafilatura_ms'] / cost['ours_ms']:.1f}x)")
    print(f"load average after: {psutil.getloadavg()}")


if __name__ == "__main__":
    main()
