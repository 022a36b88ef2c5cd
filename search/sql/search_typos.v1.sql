-- Typos counted as Meilisearch counts them: edits of the Damerau-Levenshtein (optimal string
-- alignment) distance, so that two adjacent characters swapped are one typo ("centre", "center"),
-- and a first character that differs costs one more (Meilisearch keeps the first character unless
-- the word may carry two typos). `levenshtein` (C) settles most pairs; the loop runs only for
-- pairs that a swap could bring closer.
CREATE OR REPLACE FUNCTION search_typos(candidate text, word text) RETURNS integer
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
