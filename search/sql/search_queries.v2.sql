-- v1 with the last word's alternatives as prefixes, typos counted by `search_typos`.
-- The weight is written ':' || 'A' because a colon before a name marks a parameter for alembic.
CREATE OR REPLACE FUNCTION search_queries(value text, OUT tolerant tsquery, OUT in_name tsquery)
LANGUAGE sql STABLE PARALLEL SAFE STRICT
SET pg_trgm.similarity_threshold = 0.3
SET pg_trgm.word_similarity_threshold = 0.3 AS $$
  SELECT coalesce(string_agg(anywhere, ' & '), '')::tsquery,
         coalesce(string_agg(named, ' & '), '')::tsquery
  FROM (
    SELECT
      '(' || search_quote(w.lexeme) || CASE WHEN w.is_last THEN ':*' ELSE '' END
        || coalesce((SELECT string_agg(' | ' || search_quote(term)
                                       || CASE WHEN w.is_last THEN ':*' ELSE '' END, '')
                     FROM unnest(t.terms) term), '')
        || ')' AS anywhere,
      '(' || search_quote(w.lexeme) || CASE WHEN w.is_last THEN ':*' ELSE ':' END || 'A'
        || coalesce((SELECT string_agg(' | ' || search_quote(term)
                                       || CASE WHEN w.is_last THEN ':*' ELSE ':' END || 'A', '')
                     FROM unnest(t.terms) term), '')
        || ')' AS named
    FROM search_words(value) w
    CROSS JOIN LATERAL (
      SELECT CASE WHEN char_length(w.lexeme) >= 9 THEN 2 ELSE 1 END AS allowed
    ) typos
    CROSS JOIN LATERAL (
      SELECT array_agg(term ORDER BY term) AS terms FROM (
        -- a word before the last: whole vocabulary words within the allowance
        (SELECT term FROM search_term
         WHERE NOT w.is_last AND char_length(w.lexeme) BETWEEN 5 AND 60
           AND term % w.lexeme AND term <> w.lexeme
           AND search_typos(term, w.lexeme) <= typos.allowed
         ORDER BY search_typos(term, w.lexeme), term
         LIMIT 20)
        UNION ALL
        -- the last word: the shortest beginnings of vocabulary words within the allowance,
        -- other than the word's own beginnings (its prefix search has them)
        (WITH candidate AS (
           SELECT DISTINCT left(term, length) AS beginning
           FROM search_term
           CROSS JOIN LATERAL generate_series(
             char_length(w.lexeme) - typos.allowed, char_length(w.lexeme) + typos.allowed
           ) length
           WHERE w.is_last AND char_length(w.lexeme) BETWEEN 5 AND 60
             AND w.lexeme <% term
             AND search_typos(left(term, length), w.lexeme) <= typos.allowed
         )
         SELECT beginning FROM candidate
         WHERE NOT starts_with(beginning, w.lexeme)
           AND NOT EXISTS (
             SELECT FROM candidate shorter
             WHERE shorter.beginning <> candidate.beginning
               AND starts_with(candidate.beginning, shorter.beginning)
           )
         ORDER BY search_typos(beginning, w.lexeme), beginning
         LIMIT 20)
      ) close_terms
    ) t
  ) words
$$
