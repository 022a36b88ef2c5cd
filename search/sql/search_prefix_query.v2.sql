-- Only the last word of a search is a prefix, as in Meilisearch.
CREATE OR REPLACE FUNCTION search_prefix_query(value text, parts text DEFAULT '') RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(string_agg(
    search_quote(w.lexeme)
      || CASE WHEN w.is_last OR parts <> ''
              THEN ':' || CASE WHEN w.is_last THEN '*' ELSE '' END || parts ELSE '' END,
    ' & '), '')::tsquery
  FROM search_words(value) w
$$
