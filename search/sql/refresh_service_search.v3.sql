-- v2, leaving out a confidential location's point, union and union names, and with `assured_by`
-- (the assuring organization) in list items instead of `assurer_email`.
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
        'alert_bn', s.alert_bn, 'assured_date', s.assured_date, 'assured_by', assurer.item,
        'data_source', s.data_source, 'licence', s.licence,
        'last_modified', to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'categories', coalesce(cat.items, '[]'::jsonb), 'free_of_cost', cost.free)
      || jsonb_build_object('organization', jsonb_build_object(
        'id', o.id, 'name', o.name, 'name_bn', o.name_bn, 'alternate_name', o.alternate_name,
        'description', o.description, 'description_bn', o.description_bn, 'email', o.email,
        'website', o.website, 'legal_status', o.legal_status, 'district_pcode', o.district_pcode,
        'parent_organization_id', o.parent_organization_id, 'data_source', o.data_source,
        'licence', o.licence, 'assured_date', o.assured_date, 'assured_by', org_assurer.item))
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
  -- who vouches for the entry: the verifying user's organization, never the user's email
  LEFT JOIN LATERAL (
    SELECT jsonb_build_object('id', a.id, 'name', a.name, 'name_bn', a.name_bn) AS item
    FROM organization a WHERE a.id = s.assurer_organization_id
  ) assurer ON true
  LEFT JOIN LATERAL (
    SELECT jsonb_build_object('id', a.id, 'name', a.name, 'name_bn', a.name_bn) AS item
    FROM organization a WHERE a.id = o.assurer_organization_id
  ) org_assurer ON true
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
    -- a confidential location's point never enters a document: no radius, bbox or distance
    -- can find the service by it or tell how far it is
    SELECT ST_Multi(ST_Collect(l.geom))::geometry(MultiPoint, 4326) AS geom
    FROM service_at_location sal JOIN location l ON l.id = sal.location_id
    WHERE sal.service_id = s.id AND l.geom IS NOT NULL AND NOT l.confidential
  ) pts ON true
  LEFT JOIN LATERAL (
    WITH codes AS (
      -- a confidential location is found by its division, district and upazila, not its union
      SELECT l.division_pcode, l.district_pcode, l.upazila_pcode,
             CASE WHEN l.confidential THEN NULL ELSE l.union_pcode END
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
    -- (union, upazila, district and division; no union for a confidential location) and of the
    -- areas it serves, with their ancestors
    SELECT string_agg(DISTINCT n.name, ' ') AS names
    FROM admin_area_name n
    WHERE n.pcode IN (
      SELECT unnest(ARRAY[l.division_pcode, l.district_pcode, l.upazila_pcode,
                          CASE WHEN l.confidential THEN NULL ELSE l.union_pcode END])
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
