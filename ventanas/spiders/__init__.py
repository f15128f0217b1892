"""One spider per source (DESIGN §5); `scrapy list` and `run.py crawl` find them here."""
