"""`readouts sources check NAME`: what a crawl of one source would follow and read."""

from __future__ import annotations

from crawler.sources import Source
from service.config import Config
from service.crawl_runner import run_crawl


def check_source(config: Config, source: Source, limit: int = 3) -> int:
    result = run_crawl(config, [source.name], check=limit, timeout=min(config.crawl_timeout, 600))
    if not result.outcomes:
        print(f"{source.name}: the check did not run (exit {result.returncode})")
        return 1
    outcome = result.outcomes[0]
    pages = outcome.get("list_pages", [])
    if not pages:
        print(f"{source.name}: no list page could be read from {', '.join(source.start_urls)}")
        return 1
    for page in pages:
        print(f"list page {page['url']}: {len(page['links'])} article links")
        for link in page["links"]:
            print(f"  {link}")
        print(f"  next page: {page['next'] or 'none found'}"
              + (f" (pagination stops here: {page['stopped']})" if page.get("stopped") else ""))
    articles = outcome.get("articles", [])
    print(f"\nfirst {len(articles)} articles read:")
    for a in articles:
        kind = f"readout ({a['kind']})" if a["is_readout"] else "not a readout"
        print(f"- {a['title'] or '(no title)'}\n  {a['url']}\n  published: "
              f"{a['published'] or 'no date found'}; {kind}")
        for line in a["text"].split("\n\n")[:3]:
            print(f"  | {line[:160]}")
    return 0 if articles else 1
