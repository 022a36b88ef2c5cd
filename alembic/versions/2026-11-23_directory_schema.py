"""directory schema

Revision ID: 9b1b8c852bb7
Revises:
Create Date: 2026-11-23 00:33:21.179724
"""

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9b1b8c852bb7"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # pg_trgm for typo-tolerant name matching; PostGIS for points, polygons and distances.
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # levenshtein() bounds the typos a query word may carry
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    op.create_table(
        "search_term",
        sa.Column("term", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_term")),
    )
    op.create_index(
        "ix_search_term_term_trgm",
        "search_term",
        ["term"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"term": "gin_trgm_ops"},
    )
    op.create_table(
        "admin_area",
        sa.Column("pcode", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_bn", sa.Text(), nullable=True),
        sa.Column("hdx_name_en", sa.Text(), nullable=True),
        sa.Column("parent_pcode", sa.Text(), nullable=True),
        sa.Column("division_pcode", sa.Text(), nullable=True),
        sa.Column("district_pcode", sa.Text(), nullable=True),
        sa.Column("upazila_pcode", sa.Text(), nullable=True),
        sa.Column("union_pcode", sa.Text(), nullable=True),
        sa.Column(
            "centroid",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "boundary",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("area_sqkm", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "level IN ('country', 'division', 'district', 'upazila', 'union')",
            name=op.f("ck_admin_area_level"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_pcode"],
            ["admin_area.pcode"],
            name=op.f("fk_admin_area_parent_pcode_admin_area"),
        ),
        sa.PrimaryKeyConstraint("pcode", name=op.f("pk_admin_area")),
    )
    op.create_index(
        "ix_admin_area_boundary", "admin_area", ["boundary"], unique=False, postgresql_using="gist"
    )
    op.create_index(
        op.f("ix_admin_area_district_pcode"), "admin_area", ["district_pcode"], unique=False
    )
    op.create_index(
        op.f("ix_admin_area_division_pcode"), "admin_area", ["division_pcode"], unique=False
    )
    op.create_index("ix_admin_area_level", "admin_area", ["level"], unique=False)
    op.create_index(
        op.f("ix_admin_area_upazila_pcode"), "admin_area", ["upazila_pcode"], unique=False
    )
    op.create_table(
        "taxonomy",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_bn", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_bn", sa.Text(), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("version", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy")),
    )
    op.create_table(
        "admin_area_name",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pcode", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("lang", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pcode"],
            ["admin_area.pcode"],
            name=op.f("fk_admin_area_name_pcode_admin_area"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_area_name")),
    )
    op.create_index("ix_admin_area_name_name_key", "admin_area_name", ["name_key"], unique=False)
    op.create_index(op.f("ix_admin_area_name_pcode"), "admin_area_name", ["pcode"], unique=False)
    op.create_table(
        "organization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_bn", sa.Text(), nullable=True),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_bn", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("legal_status", sa.Text(), nullable=True),
        sa.Column("district_pcode", sa.Text(), nullable=True),
        sa.Column("parent_organization_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assurer_email", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["district_pcode"],
            ["admin_area.pcode"],
            name=op.f("fk_organization_district_pcode_admin_area"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_parent_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
        sa.UniqueConstraint("slug", name=op.f("uq_organization_slug")),
    )
    op.create_index(
        op.f("ix_organization_district_pcode"), "organization", ["district_pcode"], unique=False
    )
    op.create_table(
        "taxonomy_term",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_bn", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_bn", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("taxonomy_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("term_uri", sa.Text(), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_taxonomy_term_parent_id_taxonomy_term"),
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_id"], ["taxonomy.id"], name=op.f("fk_taxonomy_term_taxonomy_id_taxonomy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_term")),
        sa.UniqueConstraint("code", name=op.f("uq_taxonomy_term_code")),
    )
    op.create_index(
        op.f("ix_taxonomy_term_taxonomy_id"), "taxonomy_term", ["taxonomy_id"], unique=False
    )
    op.create_table(
        "attribute",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("taxonomy_term_id", sa.Uuid(), nullable=False),
        sa.Column("link_type", sa.Text(), nullable=True),
        sa.Column("link_entity", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["taxonomy_term.id"],
            name=op.f("fk_attribute_taxonomy_term_id_taxonomy_term"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attribute")),
        sa.UniqueConstraint(
            "link_id", "taxonomy_term_id", name=op.f("uq_attribute_link_id_taxonomy_term_id")
        ),
    )
    op.create_index("ix_attribute_link_id", "attribute", ["link_id"], unique=False)
    op.create_index(
        op.f("ix_attribute_taxonomy_term_id"), "attribute", ["taxonomy_term_id"], unique=False
    )
    op.create_table(
        "location",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("location_type", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_bn", sa.Text(), nullable=True),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_bn", sa.Text(), nullable=True),
        sa.Column("transportation", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("coordinates_approximate", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("coordinates_source", sa.Text(), nullable=True),
        sa.Column("external_identifier", sa.Text(), nullable=True),
        sa.Column("external_identifier_type", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("division_pcode", sa.Text(), nullable=True),
        sa.Column("district_pcode", sa.Text(), nullable=True),
        sa.Column("upazila_pcode", sa.Text(), nullable=True),
        sa.Column("union_pcode", sa.Text(), nullable=True),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assurer_email", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "location_type IN ('physical', 'postal', 'virtual')", name=op.f("ck_location_type")
        ),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_location_latitude")),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name=op.f("ck_location_longitude")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_location_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
        sa.UniqueConstraint("slug", name=op.f("uq_location_slug")),
    )
    op.create_index(
        op.f("ix_location_district_pcode"), "location", ["district_pcode"], unique=False
    )
    op.create_index(
        op.f("ix_location_division_pcode"), "location", ["division_pcode"], unique=False
    )
    op.create_index("ix_location_geom", "location", ["geom"], unique=False, postgresql_using="gist")
    op.create_index(
        op.f("ix_location_organization_id"), "location", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_location_union_pcode"), "location", ["union_pcode"], unique=False)
    op.create_index(op.f("ix_location_upazila_pcode"), "location", ["upazila_pcode"], unique=False)
    op.create_table(
        "service",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_bn", sa.Text(), nullable=True),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_bn", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("interpretation_services", sa.Text(), nullable=True),
        sa.Column("application_process", sa.Text(), nullable=True),
        sa.Column("fees_description", sa.Text(), nullable=True),
        sa.Column("eligibility_description", sa.Text(), nullable=True),
        sa.Column("eligibility_description_bn", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("alert_bn", sa.Text(), nullable=True),
        sa.Column("data_source", sa.Text(), nullable=False),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assurer_email", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')",
            name=op.f("ck_service_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_service_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
        sa.UniqueConstraint("slug", name=op.f("uq_service_slug")),
    )
    op.create_index(
        op.f("ix_service_organization_id"), "service", ["organization_id"], unique=False
    )
    op.create_table(
        "address",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("attention", sa.Text(), nullable=True),
        sa.Column("address_1", sa.Text(), nullable=False),
        sa.Column("address_2", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("state_province", sa.Text(), nullable=False),
        sa.Column("postal_code", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("address_type", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_address_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address")),
    )
    op.create_index(op.f("ix_address_location_id"), "address", ["location_id"], unique=False)
    op.create_table(
        "cost_option",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("option", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("amount_description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_cost_option_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_option")),
    )
    op.create_index(op.f("ix_cost_option_service_id"), "cost_option", ["service_id"], unique=False)
    op.create_table(
        "service_area",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("admin_pcode", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("name_bn", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("extent_type", sa.Text(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["admin_pcode"],
            ["admin_area.pcode"],
            name=op.f("fk_service_area_admin_pcode_admin_area"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_area_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_area")),
    )
    op.create_index(
        op.f("ix_service_area_admin_pcode"), "service_area", ["admin_pcode"], unique=False
    )
    op.create_index(
        op.f("ix_service_area_service_id"), "service_area", ["service_id"], unique=False
    )
    op.create_table(
        "service_at_location",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_service_at_location_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_at_location_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_at_location")),
        sa.UniqueConstraint(
            "service_id", "location_id", name=op.f("uq_service_at_location_service_id_location_id")
        ),
    )
    op.create_index(
        op.f("ix_service_at_location_location_id"),
        "service_at_location",
        ["location_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_at_location_service_id"),
        "service_at_location",
        ["service_id"],
        unique=False,
    )
    op.create_table(
        "service_search",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("list_item", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("category_codes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("free_of_cost", sa.Boolean(), nullable=False),
        sa.Column("division_codes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("district_codes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("upazila_codes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("union_codes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "geog",
            geoalchemy2.types.Geography(
                geometry_type="MULTIPOINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
            ),
            nullable=True,
        ),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_search_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_service_search")),
    )
    op.create_index(
        "ix_service_search_category_codes",
        "service_search",
        ["category_codes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_service_search_district_codes",
        "service_search",
        ["district_codes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_service_search_division_codes",
        "service_search",
        ["division_codes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_service_search_geog", "service_search", ["geog"], unique=False, postgresql_using="gist"
    )
    op.create_index(
        "ix_service_search_geom", "service_search", ["geom"], unique=False, postgresql_using="gist"
    )
    op.create_index("ix_service_search_name_key", "service_search", ["name_key"], unique=False)
    op.create_index(
        op.f("ix_service_search_organization_id"),
        "service_search",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        "ix_service_search_tsv", "service_search", ["tsv"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_service_search_union_codes",
        "service_search",
        ["union_codes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_service_search_upazila_codes",
        "service_search",
        ["upazila_codes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("service_at_location_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_contact_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_contact_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["service_at_location.id"],
            name=op.f("fk_contact_service_at_location_id_service_at_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_contact_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    op.create_index(
        op.f("ix_contact_organization_id"), "contact", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_contact_service_id"), "contact", ["service_id"], unique=False)
    op.create_table(
        "schedule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("service_at_location_id", sa.Uuid(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("dtstart", sa.Date(), nullable=True),
        sa.Column("timezone", sa.Integer(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("wkst", sa.Text(), nullable=True),
        sa.Column("freq", sa.Text(), nullable=True),
        sa.Column("interval", sa.Integer(), nullable=True),
        sa.Column("byday", sa.Text(), nullable=True),
        sa.Column("byweekno", sa.Text(), nullable=True),
        sa.Column("bymonthday", sa.Text(), nullable=True),
        sa.Column("byyearday", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_bn", sa.Text(), nullable=True),
        sa.Column("opens_at", sa.Time(), nullable=True),
        sa.Column("closes_at", sa.Time(), nullable=True),
        sa.Column("schedule_link", sa.Text(), nullable=True),
        sa.Column("attending_type", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_schedule_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["service_at_location.id"],
            name=op.f("fk_schedule_service_at_location_id_service_at_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_schedule_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
    )
    op.create_index(op.f("ix_schedule_location_id"), "schedule", ["location_id"], unique=False)
    op.create_index(op.f("ix_schedule_service_id"), "schedule", ["service_id"], unique=False)
    op.create_table(
        "phone",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("service_at_location_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("extension", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_bn", sa.Text(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_phone_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_phone_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_phone_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["service_at_location.id"],
            name=op.f("fk_phone_service_at_location_id_service_at_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_phone_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone")),
    )
    op.create_index(op.f("ix_phone_location_id"), "phone", ["location_id"], unique=False)
    op.create_index(op.f("ix_phone_organization_id"), "phone", ["organization_id"], unique=False)
    op.create_index(op.f("ix_phone_service_id"), "phone", ["service_id"], unique=False)
    op.create_table(
        "language",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("phone_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_language_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["phone_id"], ["phone.id"], name=op.f("fk_language_phone_id_phone"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_language_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_language")),
    )
    op.create_index(op.f("ix_language_service_id"), "language", ["service_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_search_term_term_trgm", table_name="search_term", postgresql_using="gin")
    op.drop_table("search_term")
    op.drop_index(op.f("ix_language_service_id"), table_name="language")
    op.drop_table("language")
    op.drop_index(op.f("ix_phone_service_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_organization_id"), table_name="phone")
    op.drop_index(op.f("ix_phone_location_id"), table_name="phone")
    op.drop_table("phone")
    op.drop_index(op.f("ix_schedule_service_id"), table_name="schedule")
    op.drop_index(op.f("ix_schedule_location_id"), table_name="schedule")
    op.drop_table("schedule")
    op.drop_index(op.f("ix_contact_service_id"), table_name="contact")
    op.drop_index(op.f("ix_contact_organization_id"), table_name="contact")
    op.drop_table("contact")
    op.drop_index(
        "ix_service_search_upazila_codes", table_name="service_search", postgresql_using="gin"
    )
    op.drop_index(
        "ix_service_search_union_codes", table_name="service_search", postgresql_using="gin"
    )
    op.drop_index("ix_service_search_tsv", table_name="service_search", postgresql_using="gin")
    op.drop_index(op.f("ix_service_search_organization_id"), table_name="service_search")
    op.drop_index("ix_service_search_name_key", table_name="service_search")
    op.drop_index("ix_service_search_geom", table_name="service_search", postgresql_using="gist")
    op.drop_index("ix_service_search_geog", table_name="service_search", postgresql_using="gist")
    op.drop_index(
        "ix_service_search_division_codes", table_name="service_search", postgresql_using="gin"
    )
    op.drop_index(
        "ix_service_search_district_codes", table_name="service_search", postgresql_using="gin"
    )
    op.drop_index(
        "ix_service_search_category_codes", table_name="service_search", postgresql_using="gin"
    )
    op.drop_table("service_search")
    op.drop_index(op.f("ix_service_at_location_service_id"), table_name="service_at_location")
    op.drop_index(op.f("ix_service_at_location_location_id"), table_name="service_at_location")
    op.drop_table("service_at_location")
    op.drop_index(op.f("ix_service_area_service_id"), table_name="service_area")
    op.drop_index(op.f("ix_service_area_admin_pcode"), table_name="service_area")
    op.drop_table("service_area")
    op.drop_index(op.f("ix_cost_option_service_id"), table_name="cost_option")
    op.drop_table("cost_option")
    op.drop_index(op.f("ix_address_location_id"), table_name="address")
    op.drop_table("address")
    op.drop_index(op.f("ix_service_organization_id"), table_name="service")
    op.drop_table("service")
    op.drop_index(op.f("ix_location_upazila_pcode"), table_name="location")
    op.drop_index(op.f("ix_location_union_pcode"), table_name="location")
    op.drop_index(op.f("ix_location_organization_id"), table_name="location")
    op.drop_index("ix_location_geom", table_name="location", postgresql_using="gist")
    op.drop_index(op.f("ix_location_division_pcode"), table_name="location")
    op.drop_index(op.f("ix_location_district_pcode"), table_name="location")
    op.drop_table("location")
    op.drop_index(op.f("ix_attribute_taxonomy_term_id"), table_name="attribute")
    op.drop_index("ix_attribute_link_id", table_name="attribute")
    op.drop_table("attribute")
    op.drop_index(op.f("ix_taxonomy_term_taxonomy_id"), table_name="taxonomy_term")
    op.drop_table("taxonomy_term")
    op.drop_index(op.f("ix_organization_district_pcode"), table_name="organization")
    op.drop_table("organization")
    op.drop_index(op.f("ix_admin_area_name_pcode"), table_name="admin_area_name")
    op.drop_index("ix_admin_area_name_name_key", table_name="admin_area_name")
    op.drop_table("admin_area_name")
    op.drop_table("taxonomy")
    op.drop_index(op.f("ix_admin_area_upazila_pcode"), table_name="admin_area")
    op.drop_index("ix_admin_area_level", table_name="admin_area")
    op.drop_index(op.f("ix_admin_area_division_pcode"), table_name="admin_area")
    op.drop_index(op.f("ix_admin_area_district_pcode"), table_name="admin_area")
    op.drop_index("ix_admin_area_boundary", table_name="admin_area", postgresql_using="gist")
    op.drop_table("admin_area")
