"""search text parts, last-word prefixes, casefolding and the search outbox

- `search_normalize` now casefolds (ß → ss, final sigma, ligatures: what Python's
  `str.casefold` changes beyond `lower`), drops control characters and collapses whitespace,
  as `search.text.search_key` does.
- Only the last word of a search is a prefix, as in Meilisearch: "legal a" finds "legal aid",
  "leg aid" does not.
- `search_queries(text)` replaces `search_query(text)`: the typo-tolerant query and the same
  restricted to the service's name, from one typo lookup per word.
- Documents hold the names of the division too, and of the ancestors of the areas a service
  serves ("legal aid Khulna" finds Jashore's legal aid).
- `service_search_text`: the normalised text parts (name, phones, organization, categories,
  description, places) and taxonomy ids of each search document, which Meilisearch documents are
  made of (beside `service_search`, so that PostgreSQL searches do not read them).
- `search_outbox`: one row per changed search document, written by triggers on `service_search`
  in the changing transaction, for the worker that keeps Meilisearch in step.

Revision ID: 3c6b9e2d4f10
Revises: e0782b9a01ab
Create Date: 2026-11-23 03:15:00
"""

from collections.abc import Sequence
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3c6b9e2d4f10"
down_revision: str | None = "e0782b9a01ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Invisible characters go (zero-width joiners and space, soft hyphen, word joiner, BOM, controls);
# casefolding beyond `lower` covers the Latin, Greek and ligature letters `str.casefold` changes.
SEARCH_NORMALIZE = r"""
CREATE OR REPLACE FUNCTION search_normalize(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT btrim(regexp_replace(normalize(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(
      translate(
        lower(replace(translate(
          regexp_replace(normalize(value, NFC),
                         '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u200b-\u200d\u2060\ufeff]',
                         '', 'g'),
          '০১২৩৪৫৬৭৮৯’', '0123456789'''), 'İ', 'i' || chr(775))),
        'µſςϐϑϕϖϰϱϵ', 'μsσβθφπκρε'),
      'ß', 'ss'), 'ŉ', 'ʼn'), 'ﬀ', 'ff'), 'ﬁ', 'fi'), 'ﬂ', 'fl'), 'ﬃ', 'ffi'), 'ﬄ', 'ffl'),
      'ﬅ', 'st'), 'ﬆ', 'st'),
    NFC), '[\t\n\r\u000b\u000c \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+',
    ' ', 'g'))
$$
"""

# The words of a search, marking the last one typed: only that one is a prefix. `ROWS 8`: a
# search has a few words, and the default estimate (1000) made typo lookups cost enough for
# PostgreSQL to JIT-compile them, 8 ms per search.
SEARCH_WORDS = r"""
CREATE FUNCTION search_words(value text)
RETURNS TABLE (lexeme text, is_last boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT ROWS 8 AS $$
  SELECT w.lexeme, w.at = max(w.at) OVER ()
  FROM (
    SELECT v.lexeme, v.positions[array_upper(v.positions, 1)] AS at
    FROM unnest(to_tsvector('simple', search_normalize(value))) v
  ) w
$$
"""

SEARCH_PREFIX_QUERY = r"""
CREATE OR REPLACE FUNCTION search_prefix_query(value text, parts text DEFAULT '') RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(string_agg(
    search_quote(w.lexeme)
      || CASE WHEN w.is_last OR parts <> ''
              THEN ':' || CASE WHEN w.is_last THEN '*' ELSE '' END || parts ELSE '' END,
    ' & '), '')::tsquery
  FROM search_words(value) w
$$
"""

# Both queries of a search in one pass over its words (one typo lookup per word): `tolerant`
# (every word, typos allowed, anywhere) and `in_name` (the same, in the service's name). The
# weight is written ':' || 'A' because a colon before a name marks a parameter for alembic.
SEARCH_QUERIES = r"""
CREATE FUNCTION search_queries(value text, OUT tolerant tsquery, OUT in_name tsquery)
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET pg_trgm.similarity_threshold = 0.3 AS $$
  SELECT coalesce(string_agg(anywhere, ' & '), '')::tsquery,
         coalesce(string_agg(named, ' & '), '')::tsquery
  FROM (
    SELECT
      '(' || search_quote(w.lexeme) || CASE WHEN w.is_last THEN ':*' ELSE '' END
        || coalesce((SELECT string_agg(' | ' || search_quote(term), '') FROM unnest(t.terms) term), '')
        || ')' AS anywhere,
      '(' || search_quote(w.lexeme) || CASE WHEN w.is_last THEN ':*' ELSE ':' END || 'A'
        || coalesce((SELECT string_agg(' | ' || search_quote(term) || ':' || 'A', '') FROM unnest(t.terms) term), '')
        || ')' AS named
    FROM search_words(value) w
    CROSS JOIN LATERAL (
      SELECT array_agg(term ORDER BY term) AS terms FROM (
        SELECT term FROM search_term
        WHERE char_length(w.lexeme) BETWEEN 5 AND 60
          AND term % w.lexeme AND term <> w.lexeme
          AND levenshtein(term, w.lexeme) <= CASE WHEN char_length(w.lexeme) >= 9 THEN 2 ELSE 1 END
        ORDER BY levenshtein(term, w.lexeme), term
        LIMIT 20
      ) close_terms
    ) t
  ) words
$$
"""

REFRESH_SERVICE_SEARCH = r"""
CREATE OR REPLACE FUNCTION refresh_service_search(ids uuid[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  written integer;
BEGIN
  DELETE FROM service_search ss WHERE ss.service_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM service s WHERE s.id = ss.service_id);
  DELETE FROM service_search_text st WHERE st.service_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM service s WHERE s.id = st.service_id);

  WITH src AS (
  SELECT
    s.id AS service_id, s.organization_id,
    CASE WHEN o.active THEN s.status ELSE 'inactive' END AS status,
    search_normalize(s.name) AS name_key,
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
    ) AS list_item,
    coalesce(cat.codes, '{}') AS category_codes,
    coalesce(cost.free, false) AS free_of_cost,
    coalesce(adm.division_codes, '{}') AS division_codes,
    coalesce(adm.district_codes, '{}') AS district_codes,
    coalesce(adm.upazila_codes, '{}') AS upazila_codes,
    coalesce(adm.union_codes, '{}') AS union_codes,
    pts.geom, pts.geom::geography AS geog,
    setweight(to_tsvector('simple', concat_ws(' ', txt.name, txt.phones)), 'A')
    || setweight(to_tsvector('simple', concat_ws(' ', txt.organization, txt.categories)), 'B')
    || setweight(to_tsvector('simple', txt.description), 'C')
    || setweight(to_tsvector('simple', txt.places), 'D') AS tsv,
    jsonb_build_object(
      'name', txt.name, 'phones', txt.phones, 'organization', txt.organization,
      'categories', txt.categories, 'description', txt.description, 'places', txt.places,
      'term_ids', coalesce(cat.term_ids, '{}'), 'taxonomy_ids', coalesce(cat.taxonomy_ids, '{}'))
      AS search_text,
    greatest(s.updated_at, o.updated_at) AS modified_at
  FROM service s
  JOIN organization o ON o.id = s.organization_id
  LEFT JOIN LATERAL (
    SELECT array_agg(t.code ORDER BY t.code) AS codes,
           string_agg(concat_ws(' ', t.name, t.name_bn, t.keywords), ' ') AS names,
           array_agg(t.id::text ORDER BY t.id) AS term_ids,
           array_agg(DISTINCT t.taxonomy_id::text) AS taxonomy_ids,
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
    -- place names make "legal aid Kalaroa" work: every spelling of the units the service is in
    -- (union, upazila, district and division) and of the areas it serves, with their ancestors
    SELECT string_agg(DISTINCT n.name, ' ') AS names
    FROM admin_area_name n
    WHERE n.pcode IN (
      SELECT unnest(ARRAY[l.division_pcode, l.district_pcode, l.upazila_pcode, l.union_pcode])
      FROM service_at_location sal JOIN location l ON l.id = sal.location_id
      WHERE sal.service_id = s.id
      UNION
      SELECT unnest(ARRAY[a.pcode, a.division_pcode, a.district_pcode, a.upazila_pcode])
      FROM service_area sa JOIN admin_area a ON a.pcode = sa.admin_pcode
      WHERE sa.service_id = s.id
    )
  ) places ON true
  CROSS JOIN LATERAL (
    -- the matching form of each part, the text both search backends index
    SELECT search_normalize(concat_ws(' ', s.name, s.name_bn, s.alternate_name)) AS name,
           search_normalize(coalesce(phones.numbers, '')) AS phones,
           search_normalize(concat_ws(' ', o.name, o.name_bn, o.alternate_name)) AS organization,
           search_normalize(coalesce(cat.names, '')) AS categories,
           search_normalize(concat_ws(' ', s.description, s.description_bn,
                                      s.eligibility_description, s.eligibility_description_bn))
             AS description,
           search_normalize(coalesce(places.names, '')) AS places
  ) txt
  WHERE s.id = ANY(ids)
  ), documents AS (
  INSERT INTO service_search AS doc (
    service_id, organization_id, status, name_key, list_item, category_codes, free_of_cost,
    division_codes, district_codes, upazila_codes, union_codes, geom, geog, tsv, modified_at)
  SELECT service_id, organization_id, status, name_key, list_item, category_codes, free_of_cost,
    division_codes, district_codes, upazila_codes, union_codes, geom, geog, tsv, modified_at
  FROM src
  ON CONFLICT (service_id) DO UPDATE SET
    organization_id = EXCLUDED.organization_id, status = EXCLUDED.status,
    name_key = EXCLUDED.name_key, list_item = EXCLUDED.list_item,
    category_codes = EXCLUDED.category_codes, free_of_cost = EXCLUDED.free_of_cost,
    division_codes = EXCLUDED.division_codes, district_codes = EXCLUDED.district_codes,
    upazila_codes = EXCLUDED.upazila_codes, union_codes = EXCLUDED.union_codes,
    geom = EXCLUDED.geom, geog = EXCLUDED.geog, tsv = EXCLUDED.tsv,
    modified_at = EXCLUDED.modified_at
  RETURNING 1
  )
  -- the text parts live beside the documents, so that searches do not read them
  INSERT INTO service_search_text AS t (service_id, search_text)
  SELECT service_id, search_text FROM src
  ON CONFLICT (service_id) DO UPDATE SET search_text = EXCLUDED.search_text;
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

OUTBOX_TRIGGERS = r"""
CREATE FUNCTION search_outbox_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO search_outbox (service_id) SELECT service_id FROM old_documents;
  ELSE
    INSERT INTO search_outbox (service_id) SELECT service_id FROM new_documents;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER search_outbox_insert AFTER INSERT ON service_search
  REFERENCING NEW TABLE AS new_documents
  FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_queue();
CREATE TRIGGER search_outbox_update AFTER UPDATE ON service_search
  REFERENCING NEW TABLE AS new_documents
  FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_queue();
CREATE TRIGGER search_outbox_delete AFTER DELETE ON service_search
  REFERENCING OLD TABLE AS old_documents
  FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_queue();
"""


def _previous() -> ModuleType:
    """The migration that first defined the search functions (read by the downgrade)."""
    path = Path(__file__).with_name("2026-11-23_search_functions_and_location_trigger.py")
    spec = spec_from_file_location("search_functions_migration", path)
    assert spec is not None and spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.create_table(
        "service_search_text",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("search_text", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_service_search_text")),
    )
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )
    op.execute(SEARCH_NORMALIZE)
    op.execute(SEARCH_WORDS)
    op.execute(SEARCH_PREFIX_QUERY)
    op.execute("DROP FUNCTION search_query(text)")  # replaced by search_queries
    op.execute(SEARCH_QUERIES)
    op.execute(REFRESH_SERVICE_SEARCH)
    op.execute(OUTBOX_TRIGGERS)
    # existing documents follow the new normaliser; no outbox rows, since a Meilisearch index
    # starts with a full rebuild
    op.execute("ALTER TABLE service_search DISABLE TRIGGER USER")
    op.execute("SELECT refresh_service_search(coalesce(array_agg(id), '{}')) FROM service")
    op.execute("ALTER TABLE service_search ENABLE TRIGGER USER")


def downgrade() -> None:
    previous = _previous()
    op.execute("DROP TRIGGER search_outbox_delete ON service_search")
    op.execute("DROP TRIGGER search_outbox_update ON service_search")
    op.execute("DROP TRIGGER search_outbox_insert ON service_search")
    op.execute("DROP FUNCTION search_outbox_queue()")
    op.drop_table("search_outbox")
    op.execute("DROP FUNCTION refresh_service_search(uuid[])")
    op.drop_table("service_search_text")
    op.execute(previous.REFRESH_SERVICE_SEARCH)
    op.execute("DROP FUNCTION search_queries(text)")
    op.execute(previous.SEARCH_QUERY)
    op.execute(
        previous.SEARCH_PREFIX_QUERY.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
    )
    op.execute("DROP FUNCTION search_words(text)")
    op.execute(previous.SEARCH_NORMALIZE.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
