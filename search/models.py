"""The search tables: the documents, their text parts, the Meilisearch outbox and the vocabulary.

They have a declarative base and a `MetaData` of their own, since this package imports nothing
from the application; alembic compares both metadata with the database. The one table of the
directory they refer to, `service`, is declared in `search.directory`.
"""

import uuid
from datetime import datetime
from typing import Any

from geoalchemy2 import Geography, Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    MetaData,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from search.directory import SERVICE

# the same convention as the application's tables (`app.core.db`; a test keeps them equal)
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class SearchBase(DeclarativeBase):
    """Declarative base of the search tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ServiceSearch(SearchBase):
    """Search document of a service, denormalised for the PostgreSQL search backend."""

    __tablename__ = "service_search"
    __table_args__ = (
        Index("ix_service_search_tsv", "tsv", postgresql_using="gin"),
        Index("ix_service_search_geom", "geom", postgresql_using="gist"),
        Index("ix_service_search_geog", "geog", postgresql_using="gist"),
        # a wide radius with a word: both tested in one index scan (search/postgres.py, _geo_tsv)
        Index(
            "ix_service_search_geog_tsv",
            "geog",
            text("(tsv || ''::tsvector)"),
            postgresql_using="gist",
        ),
        Index("ix_service_search_category_codes", "category_codes", postgresql_using="gin"),
        Index("ix_service_search_division_codes", "division_codes", postgresql_using="gin"),
        Index("ix_service_search_district_codes", "district_codes", postgresql_using="gin"),
        Index("ix_service_search_upazila_codes", "upazila_codes", postgresql_using="gin"),
        Index("ix_service_search_union_codes", "union_codes", postgresql_using="gin"),
        Index("ix_service_search_name_key", "name_key"),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(SERVICE.c.id, ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    status: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text)
    # the HSDS `service_list` item, built by the database, so that a search page is one query
    list_item: Mapped[dict[str, Any]] = mapped_column(JSONB)
    category_codes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    free_of_cost: Mapped[bool] = mapped_column(Boolean)
    division_codes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    district_codes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    upazila_codes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    union_codes: Mapped[list[str]] = mapped_column(ARRAY(Text))
    geom = mapped_column(Geometry("MULTIPOINT", srid=4326, spatial_index=False), nullable=True)
    geog = mapped_column(Geography("MULTIPOINT", srid=4326, spatial_index=False), nullable=True)
    tsv: Mapped[str] = mapped_column(TSVECTOR)
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServiceSearchText(SearchBase):
    """The normalised text parts and taxonomy ids of a search document, from which Meilisearch
    documents are made (beside `service_search`, so that PostgreSQL searches do not read them)."""

    __tablename__ = "service_search_text"

    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    search_text: Mapped[dict[str, Any]] = mapped_column(JSONB)


class SearchOutbox(SearchBase):
    """A search document changed: written by triggers on `service_search`, in the changing
    transaction, and consumed by the worker that keeps Meilisearch in step."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SearchTerm(SearchBase):
    """Every word of the search documents: the vocabulary that typo-tolerant queries expand into."""

    __tablename__ = "search_term"
    __table_args__ = (
        Index(
            "ix_search_term_term_trgm",
            "term",
            postgresql_using="gin",
            postgresql_ops={"term": "gin_trgm_ops"},
        ),
    )

    term: Mapped[str] = mapped_column(Text, primary_key=True)
