"""Meilisearch first, PostgreSQL when Meilisearch cannot answer: a search never fails for it."""

import logging
import time
from dataclasses import dataclass

from search.backend import SearchBackend
from search.meili import SearchUnavailable
from search.query import SearchPage, ServiceQuery

logger = logging.getLogger("search")


@dataclass
class Breaker:
    """After a failure, PostgreSQL answers alone for `retry_seconds` (no search waits on a
    Meilisearch that is down), then Meilisearch is tried again."""

    retry_seconds: float
    open_until: float = 0.0
    reason: str | None = None

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, reason: str) -> None:
        self.open_until = time.monotonic() + self.retry_seconds
        self.reason = reason


class FallbackSearch:
    """Searches with `primary`; on `SearchUnavailable` answers with `fallback` and says so in
    `served_by` and `fallback_reason` (the API puts them in response headers) and in the log."""

    def __init__(self, primary: SearchBackend, fallback: SearchBackend, breaker: Breaker) -> None:
        self.primary = primary
        self.fallback = fallback
        self.breaker = breaker
        self.served_by = primary.served_by
        self.fallback_reason: str | None = None

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        if not self.breaker.is_open():
            try:
                page = await self.primary.search_services(query)
            except SearchUnavailable as error:
                logger.warning("Meilisearch unavailable, searching with PostgreSQL: %s", error)
                self.breaker.trip(str(error))
            else:
                self.served_by = self.primary.served_by
                self.fallback_reason = None
                return page
        self.served_by = self.fallback.served_by
        self.fallback_reason = "meilisearch-unavailable"
        return await self.fallback.search_services(query)
