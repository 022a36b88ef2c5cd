"""Request validation errors in plain words: where each bad input is and what is wrong with it.

FastAPI hands over pydantic's errors; each becomes an `errors[]` entry whose `location` is
`query`, `path`, `header` or `body` and whose `parameter` is the parameter's name or the body
field's dotted path (`hours.0.opens_at`), or `body` itself for JSON that does not parse and for
a rule over the whole body."""

from typing import Any

from fastapi.exceptions import RequestValidationError

from app.core.errors import FieldError, Location, Rule

# pydantic error type -> (English, Bangla); placeholders come from the error's `ctx`
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("is required", "দিতে হবে"),
    "extra_forbidden": ("is not a field this request takes", "এই অনুরোধে এমন কোনো ক্ষেত্র নেই"),
    "string_too_long": (
        "must have at most {max_length} characters",
        "সর্বোচ্চ {max_length} অক্ষরের হতে পারে",
    ),
    "string_too_short": (
        "must have at least {min_length} characters",
        "কমপক্ষে {min_length} অক্ষরের হতে হবে",
    ),
    "too_long": ("must have at most {max_length} items", "সর্বোচ্চ {max_length}টি উপাদান থাকতে পারে"),
    "too_short": ("must have at least {min_length} items", "কমপক্ষে {min_length}টি উপাদান থাকতে হবে"),
    "string_type": ("must be text", "লেখা হতে হবে"),
    "string_pattern_mismatch": ("does not have the expected form", "প্রত্যাশিত রূপে নেই"),
    "string_unicode": ("must be valid Unicode text", "বৈধ ইউনিকোড লেখা হতে হবে"),
    "int_parsing": ("must be a whole number", "একটি পূর্ণসংখ্যা হতে হবে"),
    "int_type": ("must be a whole number", "একটি পূর্ণসংখ্যা হতে হবে"),
    "int_from_float": ("must be a whole number", "একটি পূর্ণসংখ্যা হতে হবে"),
    "float_parsing": ("must be a number", "একটি সংখ্যা হতে হবে"),
    "float_type": ("must be a number", "একটি সংখ্যা হতে হবে"),
    "finite_number": ("must be a finite number", "একটি সসীম সংখ্যা হতে হবে"),
    "decimal_parsing": ("must be a number", "একটি সংখ্যা হতে হবে"),
    "bool_parsing": ("must be true or false", "true অথবা false হতে হবে"),
    "bool_type": ("must be true or false", "true অথবা false হতে হবে"),
    "greater_than": ("must be greater than {gt}", "{gt}-এর বেশি হতে হবে"),
    "greater_than_equal": ("must be at least {ge}", "কমপক্ষে {ge} হতে হবে"),
    "less_than": ("must be less than {lt}", "{lt}-এর কম হতে হবে"),
    "less_than_equal": ("must be at most {le}", "সর্বোচ্চ {le} হতে পারে"),
    "uuid_parsing": ("must be a UUID", "একটি UUID হতে হবে"),
    "uuid_type": ("must be a UUID", "একটি UUID হতে হবে"),
    "uuid_version": ("must be a UUID", "একটি UUID হতে হবে"),
    "date_parsing": ("must be a date (YYYY-MM-DD)", "একটি তারিখ (YYYY-MM-DD) হতে হবে"),
    "date_from_datetime_parsing": (
        "must be a date (YYYY-MM-DD)",
        "একটি তারিখ (YYYY-MM-DD) হতে হবে",
    ),
    "date_from_datetime_inexact": (
        "must be a date (YYYY-MM-DD)",
        "একটি তারিখ (YYYY-MM-DD) হতে হবে",
    ),
    "date_type": ("must be a date (YYYY-MM-DD)", "একটি তারিখ (YYYY-MM-DD) হতে হবে"),
    "datetime_parsing": (
        "must be a date and time (ISO 8601)",
        "একটি তারিখ ও সময় (ISO 8601) হতে হবে",
    ),
    "datetime_from_date_parsing": (
        "must be a date and time (ISO 8601)",
        "একটি তারিখ ও সময় (ISO 8601) হতে হবে",
    ),
    "datetime_type": (
        "must be a date and time (ISO 8601)",
        "একটি তারিখ ও সময় (ISO 8601) হতে হবে",
    ),
    "time_parsing": ("must be a time (HH:MM)", "একটি সময় (HH:MM) হতে হবে"),
    "time_type": ("must be a time (HH:MM)", "একটি সময় (HH:MM) হতে হবে"),
    "literal_error": ("must be one of: {expected}", "এগুলোর একটি হতে হবে: {expected}"),
    "enum": ("must be one of: {expected}", "এগুলোর একটি হতে হবে: {expected}"),
    "url_parsing": ("must be a URL", "একটি URL হতে হবে"),
    "url_type": ("must be a URL", "একটি URL হতে হবে"),
    "url_scheme": ("must be a URL of scheme {expected_schemes}", "{expected_schemes} URL হতে হবে"),
    "value_error": ("{error}", "মানটি ব্যবহার করা যায় না: {error}"),
    "assertion_error": ("{error}", "মানটি ব্যবহার করা যায় না: {error}"),
    "list_type": ("must be a list", "একটি তালিকা হতে হবে"),
    "dict_type": ("must be a JSON object", "একটি JSON অবজেক্ট হতে হবে"),
    "model_type": ("must be a JSON object", "একটি JSON অবজেক্ট হতে হবে"),
    "model_attributes_type": ("must be a JSON object", "একটি JSON অবজেক্ট হতে হবে"),
    "json_invalid": ("is not valid JSON ({error})", "বৈধ JSON নয় ({error})"),
    "json_type": ("must be JSON", "JSON হতে হবে"),
    "none_required": ("must be null", "null হতে হবে"),
}
SOURCES: dict[str, Location] = {
    "query": "query",
    "path": "path",
    "header": "header",
    "cookie": "header",
    "body": "body",
}


WRAPPERS = {"str", "int", "float", "bool", "list", "dict", "none"}


def _header_name(name: str) -> str:
    return "-".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _place(err: dict[str, Any]) -> tuple[Location, str]:
    """Where the input is, and its name: a parameter, a dotted body field path, or `body`."""
    loc = list(err.get("loc", ()))
    location = SOURCES.get(str(loc[0]), "body") if loc else "body"
    rest = loc[1:] if loc and str(loc[0]) in SOURCES else loc
    if err.get("type") == "json_invalid":
        return "body", "body"  # its loc names a character offset, not a field
    if location == "header" and rest:
        return location, _header_name(str(rest[0]))
    # union members and validator wrappers add loc parts that are not field names
    parts = [str(p) for p in rest if not (isinstance(p, str) and ("[" in p or p in WRAPPERS))]
    rule = _rule(err)
    if rule is not None and rule.field:
        parts.append(rule.field)
    return location, ".".join(parts) or location


def _rule(err: dict[str, Any]) -> Rule | None:
    error = (err.get("ctx") or {}).get("error")
    return error if isinstance(error, Rule) else None


def _context(err: dict[str, Any]) -> dict[str, Any]:
    ctx = {k: v for k, v in (err.get("ctx") or {}).items()}
    for key in ("expected", "expected_schemes"):
        if key in ctx:
            ctx[key] = str(ctx[key]).replace("'", "")
    if "error" in ctx:
        ctx["error"] = str(ctx["error"])
    return ctx


def _words(err: dict[str, Any]) -> tuple[str, str]:
    """The error in plain words, in English and Bangla."""
    kind = str(err.get("type", ""))
    rule = _rule(err)
    if rule is not None:
        return rule.en, rule.bn
    ctx = _context(err)
    if kind == "too_long" and isinstance(err.get("input"), str):
        kind = "string_too_long"
    if kind == "too_short" and isinstance(err.get("input"), str):
        kind = "string_too_short"
    if kind in ("value_error", "assertion_error") and "error" not in ctx:
        ctx["error"] = str(err.get("msg", "")).removeprefix("Value error, ")
    en, bn = MESSAGES.get(kind, ("", ""))
    try:
        return en.format(**ctx), bn.format(**ctx)
    except (KeyError, IndexError, ValueError):
        message = str(err.get("msg") or "is not a value the API can use")
        return message, message


def field_errors(exc: RequestValidationError) -> list[FieldError]:
    """One entry per bad input, in the order pydantic found them."""
    out = []
    for err in exc.errors():
        location, name = _place(err)
        en, bn = _words(err)
        if not en:
            en = bn = str(err.get("msg") or "is not a value the API can use")
        out.append(FieldError(location, name, en, bn))
    return out


def validation_problem(exc: RequestValidationError, lang: str) -> tuple[str, list[dict[str, str]]]:
    """The problem's `detail` ("name: what is wrong", one per input) and its `errors[]`."""
    errors = [e.render(lang) for e in field_errors(exc)]
    seen: dict[str, str] = {}
    for e in errors:
        seen.setdefault(e["parameter"], e["detail"])
    detail = "; ".join(f"{name}: {what}" for name, what in seen.items())
    return detail, errors
