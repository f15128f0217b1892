"""Scrapy settings built from ventanas' Settings: polite, conditional, bounded (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.settings import default_settings

from ventanas.config import Settings
from ventanas.spiders.middlewares import (
    HOST_PACING_ORDER,
    RECORD_ORDER,
    RETRY_AFTER_ORDER,
    WIRE_BYTES_ORDER,
)

# Scrapy 2.19 deprecated RANDOMIZE_DOWNLOAD_DELAY for DOWNLOAD_DELAY_JITTER (a
# warning in every crawl); older releases know only the first. Either way: no jitter.
NO_DELAY_JITTER = (
    {"DOWNLOAD_DELAY_JITTER": 0}
    if hasattr(default_settings, "DOWNLOAD_DELAY_JITTER")
    else {"RANDOMIZE_DOWNLOAD_DELAY": False}
)


def scrapy_settings(
    settings: Settings,
    *,
    record_dir: Path | None = None,
    log_level: str = "WARNING",
    progress: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    return {
        "VENTANAS": settings,
        "VENTANAS_PROGRESS": progress,
        "VENTANAS_RECORD_DIR": str(record_dir) if record_dir else None,
        "SPIDER_MODULES": ["ventanas.spiders"],
        "NEWSPIDER_MODULE": "ventanas.spiders",
        "BOT_NAME": "ventanas",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": settings.download_delay,
        **NO_DELAY_JITTER,  # never faster than the configured politeness
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DOWNLOAD_MAXSIZE": settings.max_page_bytes,
        "DOWNLOAD_WARNSIZE": min(settings.max_page_bytes, 5_000_000),
        "RETRY_TIMES": 2,
        # Conditional requests: the cache revalidates every page (max-age=0), so an
        # unchanged page costs a 304 and a changed one is never missed.
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
        "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
        "HTTPCACHE_DIR": str((settings.var_dir / "httpcache").resolve()),
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en",
            "Cache-Control": "max-age=0",
        },
        # Only http and https: no file://, ftp://, s3://, data: even through a redirect.
        "DOWNLOAD_HANDLERS": {"file": None, "s3": None, "ftp": None, "data": None},
        "DOWNLOADER_MIDDLEWARES": {
            "ventanas.spiders.middlewares.WireBytesMiddleware": WIRE_BYTES_ORDER,
            "ventanas.spiders.middlewares.RecordMiddleware": RECORD_ORDER,
            "ventanas.spiders.middlewares.RetryAfterMiddleware": RETRY_AFTER_ORDER,
            "ventanas.spiders.middlewares.HostPacingMiddleware": HOST_PACING_ORDER,
        },
        "SPIDER_MIDDLEWARES": {"ventanas.spiders.middlewares.PageOutputMiddleware": 950},
        "ITEM_PIPELINES": {
            "ventanas.spiders.pipelines.ValidationPipeline": 100,
            "ventanas.spiders.pipelines.StoragePipeline": 900,
        },
        "EXTENSIONS": {"ventanas.spiders.progress.ProgressExtension": 500},
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "LOG_INSTALL_ROOT_HANDLER": log_level != "WARNING",
    }
