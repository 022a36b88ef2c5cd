-- Both queries of a search in one pass over its words (one typo lookup per word): `tolerant`
-- (every word, typos allowed, anywhere) and `in_name` (the same, in the service's name). The
-- weight is written ':' || 'A' because a colon before a name marks a parameter for alembic.
CREATE OR REPLACE FUNCTION search_queries(value text, OUT tolerant tsquery, OUT in_name tsquery)
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
