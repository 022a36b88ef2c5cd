"""search functions and location trigger

The database owns these derivations so that every writer (API, loader, benchmark) gets them:
- `search_normalize(text)`: the matching form of text (NFC, no zero-width joiners, lower case,
  Bangla digits as ASCII); mirrored by `search.text.search_key` in Python.
- `search_query(text)`: the tsquery of a search: every word a prefix, and words of 5 or more
  characters also match the directory's words within one typo (two from 9 characters).
- a trigger on `location` that sets `geom` from `latitude`/`longitude` and assigns the division,
  district, upazila and union codes by point-in-polygon against the gazetteer.
- `refresh_service_search(uuid[])`: rebuilds the search documents of the given services (text,
  admin codes, points and the HSDS list item) and adds their words to `search_term`.

Revision ID: 5d2f0c1a7e42
Revises: 9b1b8c852bb7
Create Date: 2026-11-23 00:40:00
"""

from collections.abc import Sequence

from alembic import op

from search.sql import search_sql

revision: str = "5d2f0c1a7e42"
down_revision: str | None = "9b1b8c852bb7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ADMIN_LOOKUP = r"""
CREATE FUNCTION admin_area_at(point geometry, area_level text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE STRICT AS $$
  SELECT pcode FROM (
    (SELECT pcode, 0 AS rank FROM admin_area
      WHERE level = area_level AND ST_Intersects(boundary, point)
      ORDER BY ST_Area(boundary) LIMIT 1)
    UNION ALL
    -- simplified coastlines and rivers leave slivers: take the nearest unit within ~2 km
    (SELECT pcode, 1 AS rank FROM admin_area
      WHERE level = area_level AND ST_DWithin(boundary, point, 0.02)
      ORDER BY boundary <-> point LIMIT 1)
  ) found ORDER BY rank LIMIT 1
$$
"""

LOCATION_TRIGGER = r"""
CREATE FUNCTION location_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.latitude IS NULL OR NEW.longitude IS NULL THEN
    NEW.geom := NULL;
    NEW.division_pcode := NULL;
    NEW.district_pcode := NULL;
    NEW.upazila_pcode := NULL;
    NEW.union_pcode := NULL;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.latitude IS NOT DISTINCT FROM OLD.latitude
     AND NEW.longitude IS NOT DISTINCT FROM OLD.longitude AND OLD.geom IS NOT NULL THEN
    RETURN NEW;
  END IF;
  NEW.geom := ST_SetSRID(ST_MakePoint(NEW.longitude::float8, NEW.latitude::float8), 4326);
  NEW.division_pcode := admin_area_at(NEW.geom, 'division');
  NEW.district_pcode := admin_area_at(NEW.geom, 'district');
  NEW.upazila_pcode := admin_area_at(NEW.geom, 'upazila');
  NEW.union_pcode := admin_area_at(NEW.geom, 'union');
  RETURN NEW;
END
$$;
CREATE TRIGGER location_derive BEFORE INSERT OR UPDATE ON location
FOR EACH ROW EXECUTE FUNCTION location_derive();
"""


def upgrade() -> None:
    op.execute(search_sql("search_normalize", 1))
    op.execute(search_sql("search_quote", 1))
    op.execute(search_sql("search_prefix_query", 1))
    op.execute(search_sql("search_query", 1))
    op.execute(ADMIN_LOOKUP)
    op.execute(LOCATION_TRIGGER)
    op.execute(search_sql("refresh_service_search", 1))
    # radius filters on single locations (`/service_at_locations`) use geography distances
    op.execute("CREATE INDEX ix_location_geog ON location USING gist ((geom::geography))")
    # Searches scan many documents but read the list item of only one page of them: let TOAST
    # move the item out of line first, and keep the tsvector, which every text match reads, in line.
    op.execute("ALTER TABLE service_search ALTER COLUMN list_item SET STORAGE EXTERNAL")
    op.execute("ALTER TABLE service_search ALTER COLUMN tsv SET STORAGE MAIN")


def downgrade() -> None:
    op.execute("DROP INDEX ix_location_geog")
    op.execute("DROP FUNCTION refresh_service_search(uuid[])")
    op.execute("DROP TRIGGER location_derive ON location")
    op.execute("DROP FUNCTION location_derive()")
    op.execute("DROP FUNCTION admin_area_at(geometry, text)")
    op.execute("DROP FUNCTION search_query(text)")
    op.execute("DROP FUNCTION search_prefix_query(text, text)")
    op.execute("DROP FUNCTION search_quote(text)")
    op.execute("DROP FUNCTION search_normalize(text)")
