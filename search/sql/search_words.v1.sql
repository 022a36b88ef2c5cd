-- The words of a search, marking the last one typed: only that one is a prefix. `ROWS 8`: a
-- search has a few words, and the default estimate (1000) made typo lookups cost enough for
-- PostgreSQL to JIT-compile them, 8 ms per search.
CREATE OR REPLACE FUNCTION search_words(value text)
RETURNS TABLE (lexeme text, is_last boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT ROWS 8 AS $$
  SELECT w.lexeme, w.at = max(w.at) OVER ()
  FROM (
    SELECT v.lexeme, v.positions[array_upper(v.positions, 1)] AS at
    FROM unnest(to_tsvector('simple', search_normalize(value))) v
  ) w
$$
