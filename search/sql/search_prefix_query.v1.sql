-- Lexemes come from to_tsvector, never from raw input, and are quoted for the tsquery parser,
-- so no search text can make the cast fail.
-- `parts` (weights: 'A', 'AB', ...) restricts the match to those parts of the document: 'A' is the
-- service's own name, which ranks name matches above the rest.
CREATE OR REPLACE FUNCTION search_prefix_query(value text, parts text DEFAULT '') RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(string_agg(search_quote(lexeme) || ':*' || parts, ' & '), '')::tsquery
  FROM unnest(to_tsvector('simple', search_normalize(value)))
$$
