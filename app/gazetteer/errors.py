"""Errors of the gazetteer."""

from app.core.errors import InvalidParameter


class SearchOrLevelRequired(InvalidParameter):
    field = "search"
    en = "give a place to look for (search), a level to list (level), or both"
    bn = "খোঁজার জন্য একটি স্থান (search), তালিকার জন্য একটি স্তর (level), অথবা দুটোই দিন"
