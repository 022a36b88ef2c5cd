"""The interface every search backend implements."""

from typing import Protocol

from search.query import SearchPage, ServiceQuery


class SearchBackend(Protocol):
    """Answers service searches; PostgreSQL is the default, Meilisearch a drop-in."""

    name: str

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        """One page of matching services with the total and the requested facets."""
        ...
