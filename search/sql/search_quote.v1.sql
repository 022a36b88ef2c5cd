-- A lexeme quoted for the tsquery parser.
CREATE OR REPLACE FUNCTION search_quote(lexeme text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''''
$$
