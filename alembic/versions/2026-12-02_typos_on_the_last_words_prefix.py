"""typos as Meilisearch counts them, on the prefix of the last word too

The last word of a search is a prefix (`quorvex trel` finds "Quorvex Trelliumax"). Until now its
typo-tolerant alternatives were whole words of the vocabulary, so `হাসপাতল` (হাসপাতাল less a
vowel sign) found হাসপাতাল but not হাসপাতালে, which continues it. Now the last word's alternatives
are prefixes: every beginning of a vocabulary word that lies within the word's typo allowance
(one edit from 5 characters, two from 9), each searched as a prefix, the shortest only (a prefix
that another one begins already adds nothing). This is how Meilisearch matches the last word: a
word matches when one of its beginnings is within the allowance.

Typos are counted as Meilisearch counts them (`search_typos`): two adjacent characters swapped
are one typo, and a differing first character costs two.

Candidates are found through the trigram index with `<%` (word similarity: the query word against
any part of a vocabulary word), then checked with `search_typos` on each beginning whose length
differs from the word's by no more than the allowance.

Revision ID: 9b2f6d4e8c17
Revises: c4e8a1f0b735
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9b2f6d4e8c17"
down_revision: str | None = "c4e8a1f0b735"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Typos counted as Meilisearch counts them: edits of the Damerau-Levenshtein (optimal string
# alignment) distance, so that two adjacent characters swapped are one typo ("centre", "center"),
# and a first character that differs costs one more (Meilisearch keeps the first character unless
# the word may carry two typos). `levenshtein` (C) settles most pairs; the loop runs only for
# pairs that a swap could bring closer.
SEARCH_TYPOS = r"""
CREATE FUNCTION search_typos(candidate text, word text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  plain integer := levenshtein(candidate, word);
  first_differs integer := CASE WHEN left(candidate, 1) = left(word, 1) THEN 0 ELSE 1 END;
  a text[];
  b text[];
  n integer;
  m integer;
  d integer[];
  i integer;
  j integer;
  cost integer;
BEGIN
  IF plain <= 1 OR plain > 4 THEN
    RETURN plain + first_differs;
  END IF;
  a := regexp_split_to_array(candidate, '');
  b := regexp_split_to_array(word, '');
  n := cardinality(a);
  m := cardinality(b);
  -- d[i][j] at d[i * (m + 1) + j + 1]: the distance of a[1..i] and b[1..j]
  d := array_fill(0, ARRAY[(n + 1) * (m + 1)]);
  FOR i IN 0..n LOOP d[i * (m + 1) + 1] := i; END LOOP;
  FOR j IN 0..m LOOP d[j + 1] := j; END LOOP;
  FOR i IN 1..n LOOP
    FOR j IN 1..m LOOP
      cost := CASE WHEN a[i] = b[j] THEN 0 ELSE 1 END;
      d[i * (m + 1) + j + 1] := least(
        d[(i - 1) * (m + 1) + j + 1] + 1,
        d[i * (m + 1) + j] + 1,
        d[(i - 1) * (m + 1) + j] + cost);
      IF i > 1 AND j > 1 AND a[i] = b[j - 1] AND a[i - 1] = b[j] THEN
        d[i * (m + 1) + j + 1] := least(
          d[i * (m + 1) + j + 1], d[(i - 2) * (m + 1) + j - 1] + 1);
      END IF;
    END LOOP;
  END LOOP;
  RETURN d[(n + 1) * (m + 1)] + first_differs;
END
$$
"""

# The weight is written ':' || 'A' because a colon before a name marks a parameter for alembic.
SEARCH_QUERIES = r"""
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
"""

# The definition this migration replaces (from 2026-11-23_search_outbox_and_normaliser), restored
# by the downgrade.
PREVIOUS_SEARCH_QUERIES = r"""
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
"""


def upgrade() -> None:
    op.execute(SEARCH_TYPOS)
    op.execute(SEARCH_QUERIES)


def downgrade() -> None:
    op.execute(PREVIOUS_SEARCH_QUERIES)  # its `SET` list replaces this one's
    op.execute("DROP FUNCTION search_typos(text, text)")
