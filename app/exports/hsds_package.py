"""The HSDS 3.0 tabular data package: one CSV per HSDS table, `datapackage.json` and
LICENSES.md, zipped.

The descriptor is the official one (`directory_data/hsds/v3.0/datapackage.json`, vendored
verbatim) with two changes: each table's fields of this directory beyond HSDS (Bangla text,
provenance, admin codes, the approximate-coordinates flag) are declared after the HSDS fields,
and the package's licence is the data's (its sources', LICENSES.md), not the specification's.
Every HSDS table is present; those the directory does not hold have a header only.
"""

import copy
import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import directory_data
from app.directory.models import Taxonomy, TaxonomyTerm
from app.exports.licences import licences_markdown
from app.exports.selection import ExportedService, exported_services
from search.query import ServiceQuery

DESCRIPTOR = Path(directory_data.__file__).parent / "hsds" / "v3.0" / "datapackage.json"

_TEXT_BN = "Bangla text of `{}` (extension)."
_PROVENANCE = [
    ("data_source", "string", "Where the record came from (extension)."),
    ("source_note", "string", "The sources of the record, quoted or cited (extension)."),
    ("licence", "string", "The licence of the record's source, e.g. ODbL-1.0 (extension)."),
]

# the columns of each table beyond HSDS, after its HSDS fields: (name, type, description)
EXTENSIONS: dict[str, list[tuple[str, str, str]]] = {
    "organization": [
        ("name_bn", "string", _TEXT_BN.format("name")),
        ("description_bn", "string", _TEXT_BN.format("description")),
        ("district_pcode", "string", "Home district, BBS/OCHA pcode (extension)."),
        ("assured_date", "date", "When someone last verified the record (extension)."),
        *_PROVENANCE,
    ],
    "service": [
        ("name_bn", "string", _TEXT_BN.format("name")),
        ("description_bn", "string", _TEXT_BN.format("description")),
        ("eligibility_description_bn", "string", _TEXT_BN.format("eligibility_description")),
        ("alert_bn", "string", _TEXT_BN.format("alert")),
        *_PROVENANCE,
    ],
    "location": [
        ("name_bn", "string", _TEXT_BN.format("name")),
        ("description_bn", "string", _TEXT_BN.format("description")),
        (
            "coordinates_approximate",
            "boolean",
            "The point is a union or upazila centroid or a district headquarters, not the place "
            "itself (extension).",
        ),
        ("coordinates_source", "string", "Where the point comes from (extension)."),
        ("division_pcode", "string", "Division, BBS/OCHA pcode (extension)."),
        ("district_pcode", "string", "District, BBS/OCHA pcode (extension)."),
        ("upazila_pcode", "string", "Upazila, BBS/OCHA pcode (extension)."),
        ("union_pcode", "string", "Union, BBS/OCHA pcode (extension)."),
        (
            "address_text",
            "string",
            "The location's addresses that lack a field HSDS requires (often postal_code), "
            "which addresses.csv therefore leaves out (extension).",
        ),
        ("assured_date", "date", "When someone last verified the record (extension)."),
        *_PROVENANCE,
    ],
    "phone": [
        ("description_bn", "string", _TEXT_BN.format("description")),
        ("source_note", "string", "The sources of the number (extension)."),
    ],
    "schedule": [("description_bn", "string", _TEXT_BN.format("description"))],
    "service_area": [
        ("admin_pcode", "string", "The area, BBS/OCHA pcode (extension)."),
        ("name_bn", "string", _TEXT_BN.format("name")),
    ],
    "taxonomy": [
        ("name_bn", "string", _TEXT_BN.format("name")),
        ("description_bn", "string", _TEXT_BN.format("description")),
    ],
    "taxonomy_term": [
        ("name_bn", "string", _TEXT_BN.format("name")),
        ("description_bn", "string", _TEXT_BN.format("description")),
    ],
}

# HSDS fields the directory holds but never publishes (the verifier's sign-in name)
WITHHELD = {"service": {"assurer_email"}}
# HSDS fields under another name in the model
RENAMED = {"service": {"last_modified": "updated_at"}}

LICENSES = [
    {"name": "ODbL-1.0", "title": "Open Database License 1.0 (OpenStreetMap rows)",
     "path": "https://opendatacommons.org/licenses/odbl/1-0/"},
    {"name": "CC-BY-3.0-IGO", "title": "CC BY 3.0 IGO (BBS/OCHA boundaries and pcodes)",
     "path": "https://creativecommons.org/licenses/by/3.0/igo/"},
    {"name": "MIT", "title": "MIT (nuhil/bangladesh-geocode names)",
     "path": "https://opensource.org/license/mit"},
]  # fmt: skip


@cache
def official_descriptor() -> dict[str, Any]:
    """The vendored HSDS 3.0 descriptor, as published."""
    descriptor: dict[str, Any] = json.loads(DESCRIPTOR.read_text(encoding="utf-8"))
    return descriptor


@cache
def descriptor() -> dict[str, Any]:
    """The export's descriptor: the official one with the extension columns and licences."""
    package = copy.deepcopy(official_descriptor())
    package.pop("license", None)
    package["licenses"] = [*LICENSES, {"name": "see LICENSES.md", "path": "LICENSES.md"}]
    package["description"] = (
        f"{package.get('description', '')} Exported from the district referral-network service "
        "directory of Bangladesh; schema: HSDS 3.0 (Open Referral, CC BY-SA 4.0)."
    ).strip()
    for resource in package["resources"]:
        for name, type_, description in EXTENSIONS.get(resource["name"], []):
            resource["schema"]["fields"].append(
                {"name": name, "type": type_, "description": description}
            )
    return package


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)  # dates, numbers, ids, text


def _columns(record: Any) -> dict[str, Any]:
    return {column.key: getattr(record, column.key) for column in record.__table__.columns}


class Tables:
    """The records of each table, by id (each once), as plain column dicts."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[Any, dict[str, Any]]] = {}

    def add(self, table: str, record: Any, **extra: Any) -> None:
        self.add_values(table, {**_columns(record), **extra})

    def add_values(self, table: str, values: dict[str, Any]) -> None:
        self.rows.setdefault(table, {}).setdefault(values["id"], values)

    def ids(self, table: str) -> set[Any]:
        return set(self.rows.get(table, {}))


def _address_complete(address: Any, required: set[str]) -> bool:
    return all(getattr(address, name, None) not in (None, "") for name in required)


def _required(table: str) -> set[str]:
    resource = next(r for r in official_descriptor()["resources"] if r["name"] == table)
    return {
        field["name"]
        for field in resource["schema"]["fields"]
        if field.get("constraints", {}).get("required")
    }


def collect(tables: Tables, items: Iterable[ExportedService]) -> None:
    """Adds the public records of these services to `tables`."""
    address_required = _required("address")
    for item in items:
        service = item.service
        tables.add("organization", item.organization)
        tables.add("service", service)
        for sal_id, location in item.placements:
            complete = [a for a in location.addresses if _address_complete(a, address_required)]
            partial = [a for a in location.addresses if a not in complete]
            text = "; ".join(
                ", ".join(p for p in (a.address_1, a.address_2, a.city, a.state_province) if p)
                for a in partial
            )
            tables.add("location", location, address_text=text or None)
            # no description: free text about the place, which the lists hide when redacting
            tables.add_values(
                "service_at_location",
                {"id": sal_id, "service_id": service.id, "location_id": location.id},
            )
            for address in complete:
                tables.add("address", address)
            for schedule in location.schedules:
                tables.add("schedule", schedule)
        for phone in item.phones():
            tables.add("phone", phone)
        for schedule in service.schedules:
            tables.add("schedule", schedule)
        for option in service.cost_options:
            tables.add("cost_option", option)
        for area in service.service_areas:
            tables.add("service_area", area)
        for attribute in service.attributes:
            tables.add("attribute", attribute)


def _csv(resource: dict[str, Any], rows: Iterable[dict[str, Any]], tables: Tables) -> str:
    """A table's CSV: its fields in the descriptor's order; a foreign key to a record that is
    not exported (a contact, a program) is left empty."""
    table = resource["name"]
    names = [field["name"] for field in resource["schema"]["fields"]]
    withheld = WITHHELD.get(table, set())
    renamed = RENAMED.get(table, {})
    references = {
        key["fields"]: tables.ids(key["reference"]["resource"])
        for key in resource["schema"].get("foreignKeys", [])
        if isinstance(key["fields"], str)
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for values in rows:
        line = []
        for name in names:
            value = None if name in withheld else values.get(renamed.get(name, name))
            if name in references and value is not None and value not in references[name]:
                value = None
            line.append(_text(value))
        writer.writerow(line)
    return out.getvalue()


async def build_package(session: AsyncSession, query: ServiceQuery) -> bytes:
    """The zipped data package of the services the query selects."""
    tables = Tables()
    async for batch in exported_services(session, query):
        collect(tables, batch)
    for taxonomy in (await session.execute(select(Taxonomy))).scalars():
        tables.add("taxonomy", taxonomy)
    terms = select(TaxonomyTerm).order_by(TaxonomyTerm.code)
    for term in (await session.execute(terms)).scalars():
        tables.add("taxonomy_term", term)
    package = descriptor()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(package, ensure_ascii=False, indent=2))
        archive.writestr("LICENSES.md", licences_markdown())
        for resource in package["resources"]:
            rows = tables.rows.get(resource["name"], {}).values()
            archive.writestr(resource["path"], _csv(resource, rows, tables))
    return buffer.getvalue()
