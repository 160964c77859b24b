"""Crawl stage: turn configured sources into Scrapy crawls that yield article items."""
