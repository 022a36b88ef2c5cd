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

revision: str = "5d2f0c1a7e42"
down_revision: str | None = "9b1b8c852bb7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SEARCH_NORMALIZE = r"""
CREATE FUNCTION search_normalize(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT lower(translate(normalize(value, NFC),
                         '০১২৩৪৫৬৭৮৯’' || chr(8204) || chr(8205) || chr(8203) || chr(173) || chr(65279) || chr(8288),
                         '0123456789'''))
$$
"""

SEARCH_QUOTE = r"""
CREATE FUNCTION search_quote(lexeme text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''''
$$
"""

# Lexemes come from to_tsvector, never from raw input, and are quoted for the tsquery parser,
# so no search text can make the cast fail.
# `parts` (weights: 'A', 'AB', ...) restricts the match to those parts of the document: 'A' is the
# service's own name, which ranks name matches above the rest.
SEARCH_PREFIX_QUERY = r"""
CREATE FUNCTION search_prefix_query(value text, parts text DEFAULT '') RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(string_agg(search_quote(lexeme) || ':*' || parts, ' & '), '')::tsquery
  FROM unnest(to_tsvector('simple', search_normalize(value)))
$$
"""

# Typos are looked up in the vocabulary, not in the documents, so a typo-tolerant search costs one
# trigram lookup per word and is then an ordinary tsvector match.
SEARCH_QUERY = r"""
CREATE FUNCTION search_query(value text) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET pg_trgm.similarity_threshold = 0.3 AS $$
  SELECT coalesce(string_agg(alternatives, ' & '), '')::tsquery FROM (
    SELECT '(' || search_quote(w.lexeme) || ':*' || coalesce((
      SELECT string_agg(' | ' || search_quote(t.term), '' ORDER BY t.term)
      FROM (
        SELECT term FROM search_term
        WHERE char_length(w.lexeme) BETWEEN 5 AND 60
          AND term % w.lexeme AND term <> w.lexeme
          AND levenshtein(term, w.lexeme) <= CASE WHEN char_length(w.lexeme) >= 9 THEN 2 ELSE 1 END
        ORDER BY levenshtein(term, w.lexeme), term
        LIMIT 20
      ) t
    ), '') || ')' AS alternatives
    FROM unnest(to_tsvector('simple', search_normalize(value))) w
  ) words
$$
"""

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


# The admin codes of a service: those of its locations, plus every unit its service areas cover
# (the area itself, its ancestors and all its descendants), so that an admin filter finds a
# district-wide or national service from any place inside it.
REFRESH_SERVICE_SEARCH = r"""
CREATE FUNCTION refresh_service_search(ids uuid[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  written integer;
BEGIN
  DELETE FROM service_search ss WHERE ss.service_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM service s WHERE s.id = ss.service_id);

  INSERT INTO service_search AS doc (
    service_id, organization_id, status, name_key, list_item, category_codes, free_of_cost,
    division_codes, district_codes, upazila_codes, union_codes, geom, geog, tsv, modified_at)
  SELECT
    s.id, s.organization_id,
    CASE WHEN o.active THEN s.status ELSE 'inactive' END,
    search_normalize(s.name),
    jsonb_strip_nulls(
      jsonb_build_object(
        'id', s.id, 'organization_id', s.organization_id, 'name', s.name, 'name_bn', s.name_bn,
        'alternate_name', s.alternate_name, 'description', s.description,
        'description_bn', s.description_bn, 'url', s.url, 'email', s.email, 'status', s.status,
        'interpretation_services', s.interpretation_services,
        'application_process', s.application_process, 'fees_description', s.fees_description,
        'eligibility_description', s.eligibility_description,
        'eligibility_description_bn', s.eligibility_description_bn,
        'minimum_age', s.minimum_age, 'maximum_age', s.maximum_age, 'alert', s.alert,
        'alert_bn', s.alert_bn, 'assured_date', s.assured_date, 'assurer_email', s.assurer_email,
        'data_source', s.data_source, 'licence', s.licence,
        'last_modified', to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'categories', coalesce(cat.items, '[]'::jsonb), 'free_of_cost', cost.free)
      || jsonb_build_object('organization', jsonb_build_object(
        'id', o.id, 'name', o.name, 'name_bn', o.name_bn, 'alternate_name', o.alternate_name,
        'description', o.description, 'description_bn', o.description_bn, 'email', o.email,
        'website', o.website, 'legal_status', o.legal_status, 'district_pcode', o.district_pcode,
        'parent_organization_id', o.parent_organization_id, 'data_source', o.data_source,
        'licence', o.licence, 'assured_date', o.assured_date, 'assurer_email', o.assurer_email))
    ),
    coalesce(cat.codes, '{}'),
    coalesce(cost.free, false),
    coalesce(adm.division_codes, '{}'), coalesce(adm.district_codes, '{}'),
    coalesce(adm.upazila_codes, '{}'), coalesce(adm.union_codes, '{}'),
    pts.geom, pts.geom::geography,
    setweight(to_tsvector('simple', search_normalize(
        concat_ws(' ', s.name, s.name_bn, s.alternate_name, phones.numbers))), 'A')
    || setweight(to_tsvector('simple', search_normalize(
        concat_ws(' ', o.name, o.name_bn, o.alternate_name, cat.names))), 'B')
    || setweight(to_tsvector('simple', search_normalize(
        concat_ws(' ', s.description, s.description_bn, s.eligibility_description,
                  s.eligibility_description_bn))), 'C')
    || setweight(to_tsvector('simple', search_normalize(coalesce(places.names, ''))), 'D'),
    greatest(s.updated_at, o.updated_at)
  FROM service s
  JOIN organization o ON o.id = s.organization_id
  LEFT JOIN LATERAL (
    SELECT array_agg(t.code ORDER BY t.code) AS codes,
           string_agg(concat_ws(' ', t.name, t.name_bn, t.keywords), ' ') AS names,
           jsonb_agg(jsonb_build_object('code', t.code, 'name', t.name, 'name_bn', t.name_bn)
                     ORDER BY t.code) AS items
    FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id
    WHERE a.link_id = s.id AND a.link_entity = 'service'
  ) cat ON true
  LEFT JOIN LATERAL (
    SELECT bool_or(coalesce(c.amount = 0, false)) AS free
    FROM cost_option c WHERE c.service_id = s.id
  ) cost ON true
  LEFT JOIN LATERAL (
    -- numbers as dialled: "1098" finds the child helpline (and so does "১০৯৮", once normalised)
    SELECT string_agg(p.number, ' ') AS numbers FROM phone p
    WHERE p.service_id = s.id OR p.organization_id = s.organization_id
  ) phones ON true
  LEFT JOIN LATERAL (
    SELECT ST_Multi(ST_Collect(l.geom))::geometry(MultiPoint, 4326) AS geom
    FROM service_at_location sal JOIN location l ON l.id = sal.location_id
    WHERE sal.service_id = s.id AND l.geom IS NOT NULL
  ) pts ON true
  LEFT JOIN LATERAL (
    WITH codes AS (
      SELECT l.division_pcode, l.district_pcode, l.upazila_pcode, l.union_pcode
      FROM service_at_location sal JOIN location l ON l.id = sal.location_id
      WHERE sal.service_id = s.id
      UNION
      SELECT a.division_pcode, a.district_pcode, a.upazila_pcode, a.union_pcode
      FROM service_area sa
      JOIN admin_area p ON p.pcode = sa.admin_pcode
      JOIN admin_area a ON a.pcode = p.pcode
        OR p.level = 'country'
        OR a.pcode IN (p.division_pcode, p.district_pcode, p.upazila_pcode)
        OR (p.level = 'division' AND a.division_pcode = p.pcode)
        OR (p.level = 'district' AND a.district_pcode = p.pcode)
        OR (p.level = 'upazila' AND a.upazila_pcode = p.pcode)
      WHERE sa.service_id = s.id
    )
    SELECT array_agg(DISTINCT division_pcode) FILTER (WHERE division_pcode IS NOT NULL) AS division_codes,
           array_agg(DISTINCT district_pcode) FILTER (WHERE district_pcode IS NOT NULL) AS district_codes,
           array_agg(DISTINCT upazila_pcode) FILTER (WHERE upazila_pcode IS NOT NULL) AS upazila_codes,
           array_agg(DISTINCT union_pcode) FILTER (WHERE union_pcode IS NOT NULL) AS union_codes
    FROM codes
  ) adm ON true
  LEFT JOIN LATERAL (
    -- place names make "legal aid Kalaroa" work: the names of the units the service is in
    SELECT string_agg(DISTINCT n.name, ' ') AS names
    FROM admin_area_name n
    WHERE n.pcode IN (
      SELECT unnest(ARRAY[l.district_pcode, l.upazila_pcode, l.union_pcode])
      FROM service_at_location sal JOIN location l ON l.id = sal.location_id
      WHERE sal.service_id = s.id
      UNION
      SELECT sa.admin_pcode FROM service_area sa WHERE sa.service_id = s.id
    )
  ) places ON true
  WHERE s.id = ANY(ids)
  ON CONFLICT (service_id) DO UPDATE SET
    organization_id = EXCLUDED.organization_id, status = EXCLUDED.status,
    name_key = EXCLUDED.name_key, list_item = EXCLUDED.list_item,
    category_codes = EXCLUDED.category_codes, free_of_cost = EXCLUDED.free_of_cost,
    division_codes = EXCLUDED.division_codes, district_codes = EXCLUDED.district_codes,
    upazila_codes = EXCLUDED.upazila_codes, union_codes = EXCLUDED.union_codes,
    geom = EXCLUDED.geom, geog = EXCLUDED.geog, tsv = EXCLUDED.tsv,
    modified_at = EXCLUDED.modified_at;
  GET DIAGNOSTICS written = ROW_COUNT;

  INSERT INTO search_term (term)
  SELECT DISTINCT w.lexeme
  FROM service_search ss, unnest(ss.tsv) w
  WHERE ss.service_id = ANY(ids) AND char_length(w.lexeme) BETWEEN 4 AND 60
  ON CONFLICT DO NOTHING;
  RETURN written;
END
$$
"""


def upgrade() -> None:
    op.execute(SEARCH_NORMALIZE)
    op.execute(SEARCH_QUOTE)
    op.execute(SEARCH_PREFIX_QUERY)
    op.execute(SEARCH_QUERY)
    op.execute(ADMIN_LOOKUP)
    op.execute(LOCATION_TRIGGER)
    op.execute(REFRESH_SERVICE_SEARCH)
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
