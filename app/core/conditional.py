"""Conditional requests (RFC 9110 §13.1.1): whether an `If-Match` header lets a change through."""

import re

from app.core.errors import InvalidHeader

_ENTITY_TAG = re.compile(r'\s*(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"\s*')


class BadIfMatch(InvalidHeader):
    field = "If-Match"
    en = 'must be * or one or more ETags, each quoted, separated by commas ("3", "4")'
    bn = 'অবশ্যই * অথবা কমা দিয়ে আলাদা এক বা একাধিক উদ্ধৃত ETag হতে হবে ("3", "4")'


def entity_tags(if_match: str) -> list[str] | None:
    """The entity tags an `If-Match` lists, without `W/`; None for `*` (any current version).
    `BadIfMatch` when the header is neither."""
    if if_match.strip() == "*":
        return None
    parts = if_match.split(",") if '"' in if_match else [if_match]
    tags: list[str] = []
    # a tag may hold a comma: split, then put back together the pieces of one quoted tag
    piece = ""
    for part in parts:
        piece = f"{piece},{part}" if piece else part
        if piece.count('"') % 2 == 0:
            if not _ENTITY_TAG.fullmatch(piece):
                raise BadIfMatch()
            tags.append(piece.strip().removeprefix("W/"))
            piece = ""
    if piece or not tags:
        raise BadIfMatch()
    return tags


def if_match_allows(if_match: str, current: str) -> bool:
    """Whether the record, whose ETag is `current`, is one the `If-Match` header names: `*`
    names any current record, a list names each of its tags. A tag is compared with its `W/`
    taken off: a proxy that compresses a response weakens its ETag, and ours name a version
    number, which a weak and a strong tag name alike."""
    tags = entity_tags(if_match)
    return tags is None or current in tags
