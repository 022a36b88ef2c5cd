-- Invisible characters go (zero-width joiners and space, soft hyphen, word joiner, BOM, controls);
-- casefolding beyond `lower` covers the Latin, Greek and ligature letters `str.casefold` changes.
CREATE OR REPLACE FUNCTION search_normalize(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT btrim(regexp_replace(normalize(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(
      translate(
        lower(replace(translate(
          regexp_replace(normalize(value, NFC),
                         '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u200b-\u200d\u2060\ufeff]',
                         '', 'g'),
          '০১২৩৪৫৬৭৮৯’', '0123456789'''), 'İ', 'i' || chr(775))),
        'µſςϐϑϕϖϰϱϵ', 'μsσβθφπκρε'),
      'ß', 'ss'), 'ŉ', 'ʼn'), 'ﬀ', 'ff'), 'ﬁ', 'fi'), 'ﬂ', 'fl'), 'ﬃ', 'ffi'), 'ﬄ', 'ffl'),
      'ﬅ', 'st'), 'ﬆ', 'st'),
    NFC), '[\t\n\r\u000b\u000c \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+',
    ' ', 'g'))
$$
