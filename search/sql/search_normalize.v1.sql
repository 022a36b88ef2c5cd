-- The matching form of text (NFC, no zero-width joiners, lower case, Bangla digits as ASCII);
-- mirrored by `search.text.search_key` in Python.
CREATE OR REPLACE FUNCTION search_normalize(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT lower(translate(normalize(value, NFC),
                         '০১২৩৪৫৬৭৮৯’' || chr(8204) || chr(8205) || chr(8203) || chr(173) || chr(65279) || chr(8288),
                         '0123456789'''))
$$
