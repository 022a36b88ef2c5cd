"""Validates every seed file, then loads gazetteer, taxonomy and providers in one transaction.

Nothing is written when any record is invalid. Records are keyed by stable slugs and get
deterministic UUIDs, so loading again adds what is new and leaves existing records (and any
maintainer's edits to them) alone; `refresh=True` rewrites seeded records from the files.
"""

import csv
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import Connection, delete, select, text
from sqlalchemy.dialects.postgresql import insert

from app.core.db import Base
from app.directory import models as m
from directory_data import DATA_DIR
from directory_data.gazetteer import Area, read_areas
from directory_data.records import HelplineExtra, ProviderRecord, TaxonomyRecord
from search.text import clean_text

NAMESPACE = uuid.UUID("3f6c8f8e-2d0b-4c55-9a57-6a1e2f0b7d11")
SEED_REPORTS = "seed report"
OSM_LICENCE = "ODbL-1.0"
OSM_ATTRIBUTION = "© OpenStreetMap contributors, via healthsites.io / HDX, ODbL 1.0"


def stable_id(kind: str, key: str) -> uuid.UUID:
    """The UUID a seeded record keeps forever."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{key}")


@dataclass
class SeedError:
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


@dataclass
class Seed:
    areas: dict[str, Area]
    taxonomy: TaxonomyRecord
    plans: list[Plan]
    errors: list[SeedError]

    @property
    def service_count(self) -> int:
        return sum(len(plan.services) for plan in self.plans)


def _format_validation(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'record'}: {err['msg']}" for err in exc.errors()
    )


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

    def check(pcode: str | None, where: str, level: str | None = None) -> None:
        if pcode is None:
            return
        if pcode not in areas:
            errors.append(SeedError(file, where, f"unknown pcode {pcode}"))
        elif level and areas[pcode].level != level:
            errors.append(
                SeedError(file, where, f"{pcode} is a {areas[pcode].level}, not a {level}")
            )

    check(record.district, record.key, "district")
    org_id = stable_id("organization", record.key)
    plan = Plan(
        key=record.key,
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
    for loc in record.locations:
        where = f"{record.key}/locations/{loc.key}"
        check(loc.district, where, "district")
        check(loc.upazila, where, "upazila")
        check(loc.union, where, "union")
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
    for svc in record.services:
        slug = f"{record.key}--{svc.key}"
        service_id = stable_id("service", slug)
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
            check(pcode, f"{slug}/service_area")
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


def plan_helplines(
    path: Path, extras_path: Path, areas: dict[str, Area]
) -> tuple[list[Plan], list[SeedError]]:
    """National helplines: one operator organization and one nationwide service per number."""
    plans: list[Plan] = []
    errors: list[SeedError] = []
    extras_raw = yaml.safe_load(extras_path.read_text(encoding="utf-8"))
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            number = row["number"].strip()
            try:
                extra = HelplineExtra.model_validate(extras_raw.get(number))
            except ValidationError as exc:
                errors.append(SeedError(extras_path.name, number, _format_validation(exc)))
                continue
            key = f"helpline-{number}"
            org_id = stable_id("organization", key)
            service_id = stable_id("service", key)
            sources = " ; ".join(s.strip() for s in row["sources"].split(" ; ") if s.strip())
            note = f"{path.name}: {sources}. {row['notes']}".strip()
            plan = Plan(
                key=key,
                organization={
                    "id": org_id,
                    "slug": key,
                    "name": clean_text(row["operator"]),
                    "name_bn": extra.operator_bn,
                    "description": f"Operator of the {clean_text(row['name_en'])} ({number}).",
                    "description_bn": f"{clean_text(row['name_bn'])} পরিচালনাকারী।",
                    "legal_status": "government",
                    "district_pcode": None,
                    "data_source": "helpline list",
                    "source_note": note,
                },
            )
            plan.services.append(
                {
                    "id": service_id,
                    "slug": key,
                    "organization_id": org_id,
                    "name": clean_text(row["name_en"]),
                    "name_bn": clean_text(row["name_bn"]),
                    "description": clean_text(row["scope"]),
                    "description_bn": extra.scope_bn,
                    "status": "active",
                    "alert": extra.alert,
                    "alert_bn": extra.alert_bn,
                    "fees_description": clean_text(row["cost"]),
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
                    "description": clean_text(row["name_en"]),
                    "source_note": sources,
                }
            )
            for alternate in filter(None, (a.strip() for a in row["alternate_numbers"].split(";"))):
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
                    "description": clean_text(row["hours"]),
                    "notes": "as given by the sources",
                }
            )
            free = "toll-free" in row["cost"].lower() and "not toll-free" not in row["cost"].lower()
            free = free or row["cost"].strip().lower() == "free"
            plan.cost_options.append(_cost(service_id, free=free, text=clean_text(row["cost"])))
            plan.service_areas.append(_service_area(service_id, areas["BD"]))
            plan.categories.extend((service_id, code) for code in extra.categories)
            plans.append(plan)
    return plans, errors


def plan_osm_health(path: Path) -> list[Plan]:
    """OSM health facilities of Jashore and Satkhira (ODbL), kept identifiable as such."""
    plans: list[Plan] = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = clean_text(row["name"])
            key = f"osm-{row['latitude']}-{row['longitude']}-{name}"
            slug = (
                "osm-"
                + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                + "-"
                + str(stable_id("osm", key))[:8]
            )
            org_id, service_id, location_id = (
                stable_id(kind, key) for kind in ("organization", "service", "location")
            )
            kind_en = "Hospital" if row["kind"] == "hospital" else "Clinic"
            kind_bn = "হাসপাতাল" if row["kind"] == "hospital" else "ক্লিনিক"
            facts = [
                f"{kind_en} in {row['upazila']}, {row['district']}, as mapped in OpenStreetMap."
            ]
            facts_bn = [
                f"{row['district']} জেলার {row['upazila']} উপজেলার {kind_bn} (ওপেনস্ট্রিটম্যাপ অনুযায়ী)।"
            ]
            if row["emergency"] == "yes":
                facts.append("Emergency care: yes.")
                facts_bn.append("জরুরি চিকিৎসা: আছে।")
            if row["speciality"]:
                facts.append(f"Speciality: {row['speciality'].replace(';', ', ')}.")
                facts_bn.append(f"বিশেষত্ব: {row['speciality'].replace(';', ', ')}।")
            if row["beds"]:
                facts.append(f"Beds: {row['beds']}.")
                facts_bn.append(f"শয্যা: {row['beds']}।")
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
                    "name_bn": None,
                    "description": " ".join(facts),
                    "description_bn": " ".join(facts_bn),
                    "legal_status": None,
                    "district_pcode": row["upazila_pcode"][:6],
                    **common,
                },
            )
            plan.locations.append(
                {
                    "id": location_id,
                    "slug": slug,
                    "organization_id": org_id,
                    "location_type": "physical",
                    "name": name,
                    "latitude": Decimal(row["latitude"]),
                    "longitude": Decimal(row["longitude"]),
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
                    "name_bn": f"{name}: স্বাস্থ্যসেবা",
                    "description": " ".join(facts),
                    "description_bn": " ".join(facts_bn),
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
    return plans


def collect(data_dir: Path = DATA_DIR) -> Seed:
    """Reads and validates every seed file; errors name the file and the record."""
    errors: list[SeedError] = []
    areas = read_areas()
    taxonomy = TaxonomyRecord.model_validate(
        yaml.safe_load((data_dir / "taxonomy.yaml").read_text(encoding="utf-8"))
    )
    plans: list[Plan] = []
    for path in sorted((data_dir / "providers").rglob("*.yaml")):
        file = str(path.relative_to(data_dir))
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            record = ProviderRecord.model_validate(raw)
        except yaml.YAMLError as exc:
            errors.append(SeedError(file, "-", f"not valid YAML: {exc}"))
            continue
        except ValidationError as exc:
            key = raw.get("key", "-") if isinstance(raw, dict) else "-"
            errors.append(SeedError(file, str(key), _format_validation(exc)))
            continue
        plan, plan_errors = plan_provider(record, areas, file)
        errors.extend(plan_errors)
        if plan:
            plans.append(plan)
    helplines, helpline_errors = plan_helplines(
        data_dir / "geo" / "helplines" / "bd_helplines.csv", data_dir / "helplines.yaml", areas
    )
    errors.extend(helpline_errors)
    plans.extend(helplines)
    plans.extend(
        plan_osm_health(data_dir / "geo" / "health" / "jashore_satkhira_health_facilities_osm.csv")
    )
    seen: dict[str, str] = {}
    for plan in plans:
        if plan.key in seen:
            errors.append(SeedError(plan.key, plan.key, f"key used twice (also {seen[plan.key]})"))
        seen[plan.key] = plan.key
    return Seed(areas=areas, taxonomy=taxonomy, plans=plans, errors=errors)


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


def refresh_search(conn: Connection, service_ids: list[uuid.UUID]) -> int:
    """Rebuilds the PostgreSQL search documents of these services."""
    if not service_ids:
        return 0
    return int(
        conn.execute(text("SELECT refresh_service_search(:ids)"), {"ids": service_ids}).scalar_one()
    )
