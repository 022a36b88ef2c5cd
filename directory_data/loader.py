"""Validates every seed file, then loads gazetteer, taxonomy and providers in one transaction.

Nothing is written when any record is invalid. Records are keyed by stable slugs and get
deterministic UUIDs, so loading again adds what is new and leaves existing records (and any
maintainer's edits to them) alone; `refresh=True` rewrites seeded records from the files.
"""

import csv
import io
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert

from app.core.db import Base
from app.directory import models as m
from directory_data import DATA_DIR
from directory_data.gazetteer import Area, read_areas
from directory_data.records import (
    HelplineExtra,
    HelplineRow,
    OsmHealthRow,
    ProviderRecord,
    TaxonomyRecord,
)
from search.text import clean_text

NAMESPACE = uuid.UUID("3f6c8f8e-2d0b-4c55-9a57-6a1e2f0b7d11")
SEED_REPORTS = "seed report"
OSM_LICENCE = "ODbL-1.0"
OSM_ATTRIBUTION = "© OpenStreetMap contributors, via healthsites.io / HDX, ODbL 1.0"
# the seed files, relative to the data folder (providers/**/*.yaml besides)
TAXONOMY = Path("taxonomy.yaml")
HELPLINES_CSV = Path("geo/helplines/bd_helplines.csv")
HELPLINE_EXTRAS = Path("helplines.yaml")
OSM_HEALTH_CSV = Path("geo/health/jashore_satkhira_health_facilities_osm.csv")
# Bangla for the values of OSM's `healthcare:speciality` tag that the extract holds (generic
# words, not names); a value missing here is an error rather than English in a Bangla text
SPECIALITY_BN = {"general": "সাধারণ চিকিৎসা", "surgery": "শল্যচিকিৎসা", "gynaecology": "স্ত্রীরোগ"}
_BANGLA = re.compile("[\u0980-\u09ff]")
_LATIN = re.compile("[A-Za-z]")


def stable_id(kind: str, key: str) -> uuid.UUID:
    """The UUID a seeded record keeps forever."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


@dataclass
class SeedError:
    """What is wrong, in which file (relative to the data folder) and which record of it: its
    key and, for a record inside another or a CSV row (row 1 follows the header), its index
    (`-`: the whole file)."""

    file: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} [{self.record}]: {self.message}"


@dataclass
class Plan:
    """Rows to write for one organization and everything under it."""

    key: str
    organization: dict[str, Any]
    locations: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    service_at_locations: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    phones: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    cost_options: list[dict[str, Any]] = field(default_factory=list)
    service_areas: list[dict[str, Any]] = field(default_factory=list)
    categories: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # (service id, term code)
    # where the plan comes from, for errors: its file and record, and each service's
    service_records: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)
    file: str = ""
    record: str = ""


@dataclass
class Seed:
    areas: dict[str, Area]
    taxonomy_record: TaxonomyRecord | None  # None when taxonomy.yaml is invalid (see errors)
    plans: list[Plan]
    errors: list[SeedError]

    @property
    def service_count(self) -> int:
        return sum(len(plan.services) for plan in self.plans)

    @property
    def taxonomy(self) -> TaxonomyRecord:
        """The taxonomy to load (there is one whenever there are no errors)."""
        if self.taxonomy_record is None:
            raise ValueError("taxonomy.yaml is invalid: see the seed's errors")
        return self.taxonomy_record


def _item(record: str, kind: str, index: int, key: object = None) -> str:
    """The label of the `index`-th of `kind` inside `record`: `rights-jessore, services[1]
    (legal-aid)`."""
    return f"{record}, {kind}[{index}]" + (f" ({key})" if key not in (None, "") else "")


def _validation_errors(file: str, top: str, raw: Any, exc: ValidationError) -> list[SeedError]:
    """One error per problem, naming the innermost record it is in (found by walking the raw
    data along the error's location) and the field."""
    errors = []
    for err in exc.errors():
        record, node = top, raw
        path: list[str] = []
        for part in err["loc"]:
            item = None
            if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
                item = node[part]
            elif isinstance(part, str) and isinstance(node, dict):
                item = node.get(part)
            if isinstance(part, int) and path and isinstance(item, dict):
                kind = path.pop()
                key = next((item[k] for k in ("key", "code", "number") if k in item), None)
                record = _item(record, kind, part, key)
            elif isinstance(part, int) and path:
                path[-1] = f"{path[-1]}[{part}]"
            else:
                path.append(str(part))
            node = item
        message = err["msg"]
        errors.append(SeedError(file, record, f"{'.'.join(path)}: {message}" if path else message))
    return errors


def _a(level: str) -> str:
    return f"an {level}" if level == "upazila" else f"a {level}"


def _read_text(data_dir: Path, file: Path, errors: list[SeedError]) -> str | None:
    try:
        return (data_dir / file).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        errors.append(SeedError(str(file), "-", f"not UTF-8 text (byte {exc.start})"))
    except OSError as exc:
        errors.append(SeedError(str(file), "-", f"cannot be read: {exc.strerror or exc}"))
    return None


def _read_yaml(data_dir: Path, file: Path, errors: list[SeedError]) -> tuple[bool, Any]:
    """(whether it could be read, what it holds)."""
    content = _read_text(data_dir, file, errors)
    if content is None:
        return False, None
    try:
        return True, yaml.safe_load(content)
    except yaml.YAMLError as exc:
        errors.append(SeedError(str(file), "-", f"not valid YAML: {exc}"))
        return False, None


def _read_csv(
    data_dir: Path, file: Path, columns: Sequence[str], errors: list[SeedError]
) -> list[tuple[str, dict[str, str]]]:
    """The rows of a CSV file with the labels errors name them by (`row 3`), leaving out (and
    reporting) rows of the wrong length; all or nothing when the file cannot be read as CSV."""
    content = _read_text(data_dir, file, errors)
    if content is None:
        return []
    reader = csv.DictReader(io.StringIO(content, newline=""))
    rows: list[tuple[str, dict[str, str]]] = []
    try:
        header = reader.fieldnames or []
        missing = [column for column in columns if column not in header]
        if missing:
            errors.append(SeedError(str(file), "-", f"the header lacks the columns {missing}"))
            return []
        for index, row in enumerate(reader, start=1):
            label = f"row {index}"
            if None in row or None in row.values():
                values = sum(v is not None for k, v in row.items() if k is not None)
                values += len(row.get(None) or [])
                message = f"has {values} values; the header has {len(header)} columns"
                errors.append(SeedError(str(file), label, message))
                continue
            rows.append((label, row))
    except csv.Error as exc:
        errors.append(SeedError(str(file), f"row {len(rows) + 1}", f"not valid CSV: {exc}"))
        return []
    return rows


def _sources_note(record: ProviderRecord) -> str:
    return " | ".join(f"{s.document}: “{s.quote}”" for s in record.sources)


def _placement(areas: dict[str, Area], *pcodes: str | None) -> tuple[float, float, str] | None:
    """Approximate point of the most specific area given: a union's or upazila's centroid, or a
    district's headquarters (its DC office), which is where district offices are, unlike the
    centroid (Satkhira's lies in the Sundarbans)."""
    for pcode in pcodes:
        area = areas.get(pcode) if pcode else None
        if area is None:
            continue
        if area.headquarters:
            return (*area.headquarters, f"district headquarters (DC office) of {area.name_en}")
        if area.centroid:
            return (*area.centroid, f"centroid of {area.pcode} ({area.name_en})")
    return None


def plan_provider(
    record: ProviderRecord, areas: dict[str, Area], file: str
) -> tuple[Plan | None, list[SeedError]]:
    """Rows of one provider file, or the reasons they cannot be written."""
    errors: list[SeedError] = []

    def check(pcode: str | None, where: str, name: str, level: str | None = None) -> None:
        if pcode is None:
            return
        if pcode not in areas:
            errors.append(SeedError(file, where, f"{name}: unknown pcode {pcode}"))
        elif level and areas[pcode].level != level:
            errors.append(
                SeedError(
                    file, where, f"{name}: {pcode} is {_a(areas[pcode].level)}, not {_a(level)}"
                )
            )

    check(record.district, record.key, "district", "district")
    org_id = stable_id("organization", record.key)
    plan = Plan(
        key=record.key,
        file=file,
        record=record.key,
        organization={
            "id": org_id,
            "slug": record.key,
            "name": record.name,
            "name_bn": record.name_bn,
            "alternate_name": record.alternate_name,
            "description": record.description,
            "description_bn": record.description_bn,
            "email": record.email,
            "website": record.website,
            "legal_status": record.legal_status,
            "district_pcode": record.district,
            "data_source": SEED_REPORTS,
            "source_note": _sources_note(record),
            "licence": None,
            "assured_date": None,
        },
    )
    for phone in record.phones:
        plan.phones.append(
            {
                "id": stable_id("phone", f"{record.key}:{phone.number}"),
                "organization_id": org_id,
                "number": phone.number,
                "description": phone.description,
                "source_note": phone.source,
            }
        )
    location_ids: dict[str, uuid.UUID] = {}
    for index, loc in enumerate(record.locations):
        where = _item(record.key, "locations", index, loc.key)
        check(loc.district, where, "district", "district")
        check(loc.upazila, where, "upazila", "upazila")
        check(loc.union, where, "union", "union")
        slug = f"{record.key}--{loc.key}"
        location_ids[loc.key] = stable_id("location", slug)
        if loc.latitude is not None and loc.longitude is not None:
            lat, lng, approx, coord_source = loc.latitude, loc.longitude, False, "source"
        else:
            found = _placement(areas, loc.union, loc.upazila, loc.district)
            if found is None:
                errors.append(SeedError(file, where, "no coordinates and no area to place it in"))
                continue
            lat, lng, coord_source = found
            approx = True
        plan.locations.append(
            {
                "id": location_ids[loc.key],
                "slug": slug,
                "organization_id": org_id,
                "location_type": "physical",
                "name": loc.name,
                "name_bn": loc.name_bn,
                "latitude": Decimal(f"{lat:.6f}"),
                "longitude": Decimal(f"{lng:.6f}"),
                "coordinates_approximate": approx,
                "coordinates_source": coord_source,
                "data_source": SEED_REPORTS,
                "source_note": _sources_note(record),
                # only ever set: reloading a file (even with --refresh) never reveals a place
                # that a maintainer has marked confidential
                **({"confidential": True} if loc.confidential else {}),
            }
        )
        if loc.address:
            district = areas.get(loc.district)
            upazila = areas.get(loc.upazila) if loc.upazila else None
            plan.addresses.append(
                {
                    "id": stable_id("address", slug),
                    "location_id": location_ids[loc.key],
                    "address_1": loc.address,
                    "city": (upazila or district).name_en if (upazila or district) else "",  # type: ignore[union-attr]
                    "state_province": district.name_en if district else "",
                    "postal_code": None,
                    "country": "BD",
                    "address_type": "physical",
                }
            )
    for index, svc in enumerate(record.services):
        slug = f"{record.key}--{svc.key}"
        service_id = stable_id("service", slug)
        plan.service_records[service_id] = (file, _item(record.key, "services", index, svc.key))
        notes = [_sources_note(record)] + [f"{s.document}: “{s.quote}”" for s in svc.sources]
        plan.services.append(
            {
                "id": service_id,
                "slug": slug,
                "organization_id": org_id,
                "name": svc.name,
                "name_bn": svc.name_bn,
                "description": svc.description,
                "description_bn": svc.description_bn,
                "status": "active",
                "fees_description": svc.fees_description,
                "eligibility_description": svc.eligibility_description,
                "data_source": SEED_REPORTS,
                "source_note": " | ".join(notes),
            }
        )
        plan.categories.extend((service_id, code) for code in svc.categories)
        for key in svc.locations:
            if key in location_ids:
                plan.service_at_locations.append(
                    {
                        "id": stable_id("service_at_location", f"{slug}@{key}"),
                        "service_id": service_id,
                        "location_id": location_ids[key],
                    }
                )
        for pcode in svc.service_area:
            check(pcode, plan.service_records[service_id][1], "service_area")
            if pcode in areas:
                plan.service_areas.append(_service_area(service_id, areas[pcode]))
        if svc.free_of_cost is not None:
            plan.cost_options.append(
                _cost(service_id, free=svc.free_of_cost, text=svc.fees_description)
            )
    return (None if errors else plan), errors


def _service_area(service_id: uuid.UUID, area: Area) -> dict[str, Any]:
    return {
        "id": stable_id("service_area", f"{service_id}:{area.pcode}"),
        "service_id": service_id,
        "admin_pcode": area.pcode,
        "name": area.name_en,
        "name_bn": area.name_bn,
        "extent_type": "admin_area",
    }


def _cost(service_id: uuid.UUID, *, free: bool, text: str | None) -> dict[str, Any]:
    return {
        "id": stable_id("cost_option", str(service_id)),
        "service_id": service_id,
        "option": "Free of cost" if free else "Charged",
        "currency": "BDT" if free else None,
        "amount": Decimal(0) if free else None,
        "amount_description": text,
    }


def plan_helplines(data_dir: Path, areas: dict[str, Area]) -> tuple[list[Plan], list[SeedError]]:
    """National helplines: one operator organization and one nationwide service per number."""
    plans: list[Plan] = []
    errors: list[SeedError] = []
    csv_file, extras_file = str(HELPLINES_CSV), str(HELPLINE_EXTRAS)
    read, extras_raw = _read_yaml(data_dir, HELPLINE_EXTRAS, errors)
    if read and not isinstance(extras_raw, dict):
        errors.append(SeedError(extras_file, "-", "must map helpline numbers to their entries"))
        read = False
    # an unquoted number is read as an int
    extras = {str(number): entry for number, entry in extras_raw.items()} if read else {}
    numbers: set[str] = set()
    for label, raw_row in _read_csv(
        data_dir, HELPLINES_CSV, list(HelplineRow.model_fields), errors
    ):
        label = f"{label} ({raw_row['number'].strip()})" if raw_row["number"].strip() else label
        try:
            row = HelplineRow.model_validate({k: v.strip() for k, v in raw_row.items()})
        except ValidationError as exc:
            errors.extend(_validation_errors(csv_file, label, raw_row, exc))
            continue
        number = row.number
        numbers.add(number)
        if not read:
            continue
        if number not in extras:
            errors.append(
                SeedError(
                    extras_file, number, f"no entry for helpline {number} ({csv_file} {label})"
                )
            )
            continue
        try:
            extra = HelplineExtra.model_validate(extras[number])
        except ValidationError as exc:
            errors.extend(_validation_errors(extras_file, number, extras[number], exc))
            continue
        key = f"helpline-{number}"
        org_id = stable_id("organization", key)
        service_id = stable_id("service", key)
        sources = " ; ".join(s.strip() for s in row.sources.split(" ; ") if s.strip())
        note = f"{HELPLINES_CSV.name}: {sources}. {row.notes}".strip()
        plan = Plan(
            key=key,
            organization={
                "id": org_id,
                "slug": key,
                "name": clean_text(row.operator),
                "name_bn": extra.operator_bn,
                "description": f"Operator of the {clean_text(row.name_en)} ({number}).",
                "description_bn": f"{clean_text(row.name_bn)} পরিচালনাকারী।",
                "legal_status": "government",
                "district_pcode": None,
                "data_source": "helpline list",
                "source_note": note,
            },
            file=csv_file,
            record=label,
            service_records={service_id: (extras_file, number)},  # its categories are there
        )
        plan.services.append(
            {
                "id": service_id,
                "slug": key,
                "organization_id": org_id,
                "name": clean_text(row.name_en),
                "name_bn": clean_text(row.name_bn),
                "description": clean_text(row.scope),
                "description_bn": extra.scope_bn,
                "status": "active",
                "alert": extra.alert,
                "alert_bn": extra.alert_bn,
                "fees_description": clean_text(row.cost),
                "data_source": "helpline list",
                "source_note": note,
            }
        )
        plan.phones.append(
            {
                "id": stable_id("phone", key),
                "service_id": service_id,
                "number": number,
                "type": "voice",
                "description": clean_text(row.name_en),
                "description_bn": clean_text(row.name_bn),
                "source_note": sources,
            }
        )
        for alternate in filter(None, (a.strip() for a in row.alternate_numbers.split(";"))):
            match = re.search(r"From abroad:\s*(\+[0-9]+)", alternate)
            if match:
                plan.phones.append(
                    {
                        "id": stable_id("phone", f"{key}:{match[1]}"),
                        "service_id": service_id,
                        "number": match[1],
                        "type": "voice",
                        "description": "From abroad",
                        "description_bn": "বিদেশ থেকে",
                        "source_note": sources,
                    }
                )
        plan.schedules.append(
            {
                "id": stable_id("schedule", key),
                "service_id": service_id,
                "description": clean_text(row.hours),
                "notes": "as given by the sources",
            }
        )
        free = "toll-free" in row.cost.lower() and "not toll-free" not in row.cost.lower()
        free = free or row.cost.lower() == "free"
        plan.cost_options.append(_cost(service_id, free=free, text=clean_text(row.cost)))
        plan.service_areas.append(_service_area(service_id, areas["BD"]))
        plan.categories.extend((service_id, code) for code in extra.categories)
        plans.append(plan)
    for number in sorted(set(extras) - numbers):
        errors.append(SeedError(extras_file, number, f"no helpline {number} in {csv_file}"))
    return plans, errors


def _osm_names(name: str) -> tuple[str, str | None]:
    """(name, name_bn) of a facility. OSM's `name` is English, Bangla, or both with the English
    first ("Ad-din … Hospital আদ-দ্বীন … হাসপাতাল"); with no Bangla in it there is no Bangla
    name (readers fall back to the English), since a proper name is never translated."""
    bangla = _BANGLA.search(name)
    if bangla is None:
        return name, None
    if not _LATIN.search(name):
        return name, name
    english, native = name[: bangla.start()].strip(), name[bangla.start() :].strip()
    if english and not _LATIN.search(native):
        return english, native
    return name, None


def _where_bn(upazila: Area, areas: dict[str, Area]) -> str | None:
    """Where an upazila is, in the gazetteer's Bangla names: "সাতক্ষীরা জেলার কলারোয়া উপজেলার"."""
    district = areas.get(upazila.parent_pcode or "")
    if upazila.name_bn and district and district.name_bn:
        return f"{district.name_bn} জেলার {upazila.name_bn} উপজেলার"
    return None


def plan_osm_health(
    data_dir: Path, areas: dict[str, Area], taxonomy: TaxonomyRecord | None
) -> tuple[list[Plan], list[SeedError]]:
    """OSM health facilities of Jashore and Satkhira (ODbL), kept identifiable as such; their
    Bangla text is made of the gazetteer's and the taxonomy's Bangla words, never of English."""
    health_bn = (
        next((t.name_bn for t in taxonomy.terms if t.code == "health"), None) if taxonomy else None
    )
    plans: list[Plan] = []
    errors: list[SeedError] = []
    file = str(OSM_HEALTH_CSV)
    for label, raw_row in _read_csv(
        data_dir, OSM_HEALTH_CSV, list(OsmHealthRow.model_fields), errors
    ):
        label = f"{label} ({raw_row['name'].strip()})" if raw_row["name"].strip() else label
        try:
            row = OsmHealthRow.model_validate({k: v.strip() for k, v in raw_row.items()})
        except ValidationError as exc:
            errors.extend(_validation_errors(file, label, raw_row, exc))
            continue
        area = areas.get(row.upazila_pcode)
        if area is None or area.level != "upazila":
            what = "unknown pcode" if area is None else f"{_a(area.level)}, not an upazila:"
            errors.append(SeedError(file, label, f"upazila_pcode: {what} {row.upazila_pcode}"))
            continue
        unknown = [s for s in row.speciality.split(";") if s and s not in SPECIALITY_BN]
        if unknown:
            message = f"speciality: {unknown} have no Bangla name in loader.SPECIALITY_BN"
            errors.append(SeedError(file, label, message))
            continue
        written = clean_text(row.name)  # the record's key: ids stay as they were
        key = f"osm-{row.latitude}-{row.longitude}-{written}"
        slug = (
            "osm-"
            + re.sub(r"[^a-z0-9]+", "-", written.lower()).strip("-")
            + "-"
            + str(stable_id("osm", key))[:8]
        )
        name, name_bn = _osm_names(written)
        org_id, service_id, location_id = (
            stable_id(kind, key) for kind in ("organization", "service", "location")
        )
        kind_en = "Hospital" if row.kind == "hospital" else "Clinic"
        kind_bn = "হাসপাতাল" if row.kind == "hospital" else "ক্লিনিক"
        facts = [f"{kind_en} in {row.upazila}, {row.district}, as mapped in OpenStreetMap."]
        where_bn = _where_bn(area, areas)
        facts_bn = [f"{where_bn} {kind_bn} (ওপেনস্ট্রিটম্যাপ অনুযায়ী)।"]
        if row.emergency == "yes":
            facts.append("Emergency care: yes.")
            facts_bn.append("জরুরি চিকিৎসা: আছে।")
        if row.speciality:
            specialities = row.speciality.split(";")
            facts.append(f"Speciality: {', '.join(specialities)}.")
            facts_bn.append(f"বিশেষত্ব: {', '.join(SPECIALITY_BN[s] for s in specialities)}।")
        if row.beds:
            facts.append(f"Beds: {row.beds}.")
            facts_bn.append(f"শয্যা: {row.beds}।")
        description_bn = clean_text(" ".join(facts_bn)) if where_bn else None
        common = {
            "data_source": "openstreetmap",
            "licence": OSM_LICENCE,
            "source_note": OSM_ATTRIBUTION,
        }
        plan = Plan(
            key=slug,
            organization={
                "id": org_id,
                "slug": slug,
                "name": name,
                "name_bn": name_bn,
                "description": " ".join(facts),
                "description_bn": description_bn,
                "legal_status": None,
                "district_pcode": row.upazila_pcode[:6],
                **common,
            },
            file=file,
            record=label,
            service_records={service_id: (file, label)},
        )
        plan.locations.append(
            {
                "id": location_id,
                "slug": slug,
                "organization_id": org_id,
                "location_type": "physical",
                "name": name,
                "name_bn": name_bn,
                "latitude": Decimal(row.latitude),
                "longitude": Decimal(row.longitude),
                "coordinates_approximate": False,
                "coordinates_source": "OpenStreetMap",
                "external_identifier_type": "openstreetmap",
                **common,
            }
        )
        plan.services.append(
            {
                "id": service_id,
                "slug": slug,
                "organization_id": org_id,
                "name": f"Health care at {name}",
                "name_bn": f"{name_bn}: {health_bn}" if name_bn and health_bn else None,
                "description": " ".join(facts),
                "description_bn": description_bn,
                "status": "active",
                **common,
            }
        )
        plan.service_at_locations.append(
            {
                "id": stable_id("service_at_location", key),
                "service_id": service_id,
                "location_id": location_id,
            }
        )
        plan.categories.append((service_id, "health"))
        plans.append(plan)
    return plans, errors


def _taxonomy(data_dir: Path, errors: list[SeedError]) -> TaxonomyRecord | None:
    read, raw = _read_yaml(data_dir, TAXONOMY, errors)
    if not read:
        return None
    try:
        return TaxonomyRecord.model_validate(raw)
    except ValidationError as exc:
        errors.extend(_validation_errors(str(TAXONOMY), "taxonomy", raw, exc))
        return None


def _providers(
    data_dir: Path, areas: dict[str, Area], errors: list[SeedError]
) -> tuple[list[Plan], list[tuple[str, str, str]]]:
    """The provider files' plans, and every key they claim (key, file, record), valid or not."""
    plans: list[Plan] = []
    keys: list[tuple[str, str, str]] = []
    for path in sorted((data_dir / "providers").rglob("*.yaml")):
        file = path.relative_to(data_dir)
        read, raw = _read_yaml(data_dir, file, errors)
        if not read:
            continue
        key = raw.get("key") if isinstance(raw, dict) else None
        label = key if isinstance(key, str) and key else "(no key)"
        if label != "(no key)":
            keys.append((label, str(file), label))
        try:
            record = ProviderRecord.model_validate(raw)
        except ValidationError as exc:
            errors.extend(_validation_errors(str(file), label, raw, exc))
            continue
        plan, plan_errors = plan_provider(record, areas, str(file))
        errors.extend(plan_errors)
        if plan:
            plans.append(plan)
    return plans, keys


def collect(data_dir: Path = DATA_DIR) -> Seed:
    """Reads and validates every seed file; errors name the file and the record (a key used
    twice names both)."""
    errors: list[SeedError] = []
    areas = read_areas()
    taxonomy = _taxonomy(data_dir, errors)
    plans, keys = _providers(data_dir, areas, errors)
    for more, more_errors in (
        plan_helplines(data_dir, areas),
        plan_osm_health(data_dir, areas, taxonomy),
    ):
        errors.extend(more_errors)
        plans.extend(more)
        keys.extend((plan.key, plan.file, plan.record) for plan in more)
    first: dict[str, tuple[str, str]] = {}
    for key, file, record in keys:
        if key in first:
            other_file, other_record = first[key]
            errors.append(
                SeedError(
                    file,
                    record,
                    f"key {key!r} is used twice: also by {other_file} [{other_record}]",
                )
            )
        first.setdefault(key, (file, record))
    if taxonomy is not None:
        codes = {term.code for term in taxonomy.terms}
        for plan in plans:
            for service_id, code in plan.categories:
                if code not in codes:
                    file, record = plan.service_records.get(service_id, (plan.file, plan.record))
                    errors.append(
                        SeedError(file, record, f"category {code!r} is not a term of {TAXONOMY}")
                    )
    return Seed(areas=areas, taxonomy_record=taxonomy, plans=plans, errors=errors)


def load_taxonomy(conn: Connection, taxonomy: TaxonomyRecord) -> dict[str, uuid.UUID]:
    """Upsert the taxonomy and its terms; returns term ids by code."""
    info = taxonomy.taxonomy
    taxonomy_id = stable_id("taxonomy", info.key)
    values = {
        "id": taxonomy_id,
        "name": info.name,
        "name_bn": info.name_bn,
        "description": info.description,
        "description_bn": info.description_bn,
        "version": info.version,
        "uri": None,
    }
    stmt = insert(m.Taxonomy).values(values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
    ids: dict[str, uuid.UUID] = {}
    for term in taxonomy.terms:
        ids[term.code] = stable_id("taxonomy_term", term.code)
        values = {
            "id": ids[term.code],
            "code": term.code,
            "name": term.name,
            "name_bn": term.name_bn,
            "description": term.description,
            "description_bn": term.description_bn,
            "taxonomy_id": taxonomy_id,
            "language": "en",
            "keywords": " ".join(term.keywords) or None,
        }
        stmt = insert(m.TaxonomyTerm).values(values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
    return ids


_CHILDREN = [
    ("service_at_locations", m.ServiceAtLocation),
    ("addresses", m.Address),
    ("phones", m.Phone),
    ("schedules", m.Schedule),
    ("cost_options", m.CostOption),
    ("service_areas", m.ServiceArea),
]


def write_plan(
    conn: Connection, plan: Plan, terms: dict[str, uuid.UUID], *, refresh: bool
) -> list[uuid.UUID]:
    """Writes one organization's rows; returns the ids of the services written."""
    org_id = plan.organization["id"]
    exists = conn.execute(select(m.Organization.id).where(m.Organization.id == org_id)).first()
    if exists and not refresh:
        return []
    service_ids = [s["id"] for s in plan.services]
    location_ids = [loc["id"] for loc in plan.locations]
    if exists:
        conn.execute(
            delete(m.ServiceAtLocation).where(m.ServiceAtLocation.service_id.in_(service_ids))
        )
        conn.execute(delete(m.Attribute).where(m.Attribute.link_id.in_(service_ids)))
        for child in (m.Phone, m.Schedule, m.CostOption, m.ServiceArea):
            conn.execute(delete(child).where(child.service_id.in_(service_ids)))
        conn.execute(delete(m.Phone).where(m.Phone.organization_id == org_id))
        conn.execute(delete(m.Address).where(m.Address.location_id.in_(location_ids)))
    _upsert(conn, m.Organization, [plan.organization])
    _upsert(conn, m.Location, plan.locations)
    _upsert(conn, m.Service, plan.services)
    for attr, table in _CHILDREN:
        rows = getattr(plan, attr)
        if rows:
            conn.execute(insert(table).values(rows))
    if plan.categories:
        conn.execute(
            insert(m.Attribute).values(
                [
                    {
                        "id": stable_id("attribute", f"{sid}:{code}"),
                        "link_id": sid,
                        "taxonomy_term_id": terms[code],
                        "link_type": "category",
                        "link_entity": "service",
                    }
                    for sid, code in plan.categories
                ]
            )
        )
    return service_ids


def _upsert(conn: Connection, model: type[Base], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    for row in rows:  # rows of one table may differ in keys; write them one by one
        stmt = insert(model).values(row)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"], set_={k: v for k, v in row.items() if k != "id"}
            )
        )
