-- Typos are looked up in the vocabulary, not in the documents, so a typo-tolerant search costs one
-- trigram lookup per word and is then an ordinary tsvector match. Replaced by `search_queries`.
CREATE OR REPLACE FUNCTION search_query(value text) RETURNS tsquery
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
