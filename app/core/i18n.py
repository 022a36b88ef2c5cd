"""Bilingual (English / Bangla) user-facing messages; the caller's `Accept-Language` picks one."""

from collections.abc import Sequence

from starlette.requests import Request

LANGUAGES = ("en", "bn")

TITLES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "অনুরোধটি সঠিক নয়"),
    401: ("Not authenticated", "পরিচয় যাচাই হয়নি"),
    403: ("Forbidden", "অনুমতি নেই"),
    404: ("Not found", "পাওয়া যায়নি"),
    405: ("Method not allowed", "এই পদ্ধতি অনুমোদিত নয়"),
    409: ("Conflict", "সংঘাত"),
    412: ("Precondition failed", "পূর্বশর্ত পূরণ হয়নি"),
    413: ("Request body too large", "অনুরোধের আকার খুব বড়"),
    415: ("Unsupported media type", "এই ধরনের ডেটা গ্রহণযোগ্য নয়"),
    422: ("Invalid input", "ইনপুট সঠিক নয়"),
    428: ("Precondition required", "পূর্বশর্ত প্রয়োজন"),
    429: ("Too many requests", "অনেক বেশি অনুরোধ"),
    500: ("Internal server error", "সার্ভারে ত্রুটি"),
    503: ("Service unavailable", "সেবাটি এখন পাওয়া যাচ্ছে না"),
}


def ranked_language(header: str, languages: Sequence[str], default: str) -> str:
    """The language of `languages` the `Accept-Language` header ranks highest, else `default`."""
    best, best_q = default, -1.0
    for part in header.split(","):
        piece = part.strip().split(";")
        tag = piece[0].strip().lower().split("-")[0]
        q = 1.0
        for param in piece[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag in languages and q > best_q:
            best, best_q = tag, q
    return best


def preferred_language(request: Request) -> str:
    """`bn` when the client ranks Bangla above English in `Accept-Language`, else `en`."""
    return ranked_language(request.headers.get("accept-language", ""), LANGUAGES, "en")


def title_for(status: int, lang: str) -> str:
    """The problem title of an HTTP status in the given language."""
    en, bn = TITLES.get(status, (f"HTTP {status}", f"HTTP {status}"))
    return bn if lang == "bn" else en
