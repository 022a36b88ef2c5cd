"""The interface every search backend implements."""

from typing import Protocol

from search.query import SearchPage, ServiceQuery


class SearchBackend(Protocol):
    """Answers service searches; PostgreSQL is the default, Meilisearch a drop-in."""

    # who answered the last search, and why not the configured backend (for a response header)
    served_by: str
    fallback_reason: str | None

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        """One page of matching services with the total and the requested facets."""
        ...
