"""The flat columns of an exported service (CSV), English and Bangla side by side."""

from collections.abc import Callable
from datetime import time

from app.directory.models import Schedule
from app.exports.licences import NOTICE
from app.exports.selection import ExportedService


def _join(values: list[str]) -> str:
    return "; ".join(value for value in values if value)


def _time(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def hours(schedule: Schedule) -> str:
    """One schedule as text: its days and times, else its description (what is stored)."""
    span = ""
    if schedule.opens_at or schedule.closes_at:
        span = f"{_time(schedule.opens_at)}-{_time(schedule.closes_at)}"
    said = " ".join(part for part in (schedule.byday or "", span) if part)
    return said or schedule.description or ""


def _categories(item: ExportedService, bangla: bool) -> str:
    terms = sorted((a.taxonomy_term for a in item.service.attributes), key=lambda t: t.code)
    return _join([term.name_bn if bangla else term.name for term in terms])


def _codes(item: ExportedService) -> str:
    return _join(sorted(a.taxonomy_term.code for a in item.service.attributes))


def _addresses(item: ExportedService) -> str:
    return _join(
        [
            ", ".join(part for part in (a.address_1, a.address_2, a.city) if part)
            for loc in item.locations
            for a in loc.addresses
        ]
    )


def _area_names(item: ExportedService, level: str, bangla: bool) -> str:
    names: dict[str, None] = {}
    for loc in item.locations:
        area = item.area(getattr(loc, f"{level}_pcode"))
        if area is not None:
            names[(area.name_bn or area.name) if bangla else area.name] = None
    return _join(list(names))


def _free(item: ExportedService) -> str:
    free = item.free_of_cost
    return "" if free is None else ("yes" if free else "no")


Column = tuple[str, Callable[[ExportedService], object]]

COLUMNS: list[Column] = [
    ("id", lambda i: i.service.id),
    ("name", lambda i: i.service.name),
    ("name_bn", lambda i: i.service.name_bn),
    ("organization", lambda i: i.organization.name),
    ("organization_bn", lambda i: i.organization.name_bn),
    ("category_codes", _codes),
    ("categories", lambda i: _categories(i, False)),
    ("categories_bn", lambda i: _categories(i, True)),
    ("phones", lambda i: _join([p.number for p in i.phones()])),
    ("address", _addresses),
    ("upazila", lambda i: _area_names(i, "upazila", False)),
    ("upazila_bn", lambda i: _area_names(i, "upazila", True)),
    ("district", lambda i: _area_names(i, "district", False)),
    ("district_bn", lambda i: _area_names(i, "district", True)),
    ("hours", lambda i: _join([hours(s) for s in i.schedules()])),
    ("free_of_cost", _free),
    ("verified_date", lambda i: i.verified),
    ("status", lambda i: i.service.status),
    ("data_source", lambda i: i.service.data_source),
    ("licence", lambda i: i.service.licence or NOTICE),
]

HEADER = [name for name, _ in COLUMNS]


def row(item: ExportedService) -> list[str]:
    """The CSV row of a service ("" for what is not stored)."""
    values = [value(item) for _, value in COLUMNS]
    return ["" if value is None else str(value) for value in values]
