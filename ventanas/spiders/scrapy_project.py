"""Scrapy project settings for `scrapy list`, `scrapy crawl` and Scrapyd (scrapy.cfg).

They are the same settings `run.py crawl` uses, built from ventanas.toml and
VENTANAS_* variables, so a spider behaves the same however it is started.
"""

from ventanas.config import load_settings
from ventanas.spiders.settings import scrapy_settings

globals().update(scrapy_settings(load_settings()))
