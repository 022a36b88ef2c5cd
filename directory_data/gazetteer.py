"""Loads the Bangladesh gazetteer (geo/) into `admin_area` and `admin_area_name`."""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml
from sqlalchemy import Connection, text

from directory_data import DATA_DIR
from directory_data.records import VariantRecord
from search.text import clean_text, search_key

GEO = DATA_DIR / "geo"
COUNTRY = "BD"
NUHIL = "nuhil/bangladesh-geocode (MIT)"
HDX = "HDX COD-AB Bangladesh (CC BY 3.0 IGO)"


@dataclass
class Area:
    pcode: str
    level: str
    kind: str
    name_en: str
    name_bn: str | None
    hdx_name_en: str | None
    parent_pcode: str | None
    centroid: tuple[float, float] | None  # (lat, lng)
    source: str
    area_sqkm: float | None = None
    website: str | None = None
    headquarters: tuple[float, float] | None = None  # districts: the DC office (nuhil)
    chain: dict[str, str] = field(default_factory=dict)  # level -> pcode, itself included
    variants: list[str] = field(default_factory=list)


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (GEO / "admin" / name).open(encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _none(value: str) -> str | None:
    return clean_text(value) or None


def _point(
    row: dict[str, str], lat: str = "centroid_lat", lon: str = "centroid_lon"
) -> tuple[float, float] | None:
    return (float(row[lat]), float(row[lon])) if row.get(lat) and row.get(lon) else None


def _float(value: str) -> float | None:
    return float(value) if value else None


def read_areas() -> dict[str, Area]:
    """Every unit from the CSV files, keyed by pcode, with its chain of parent codes."""
    areas: dict[str, Area] = {
        COUNTRY: Area(COUNTRY, "country", "country", "Bangladesh", "বাংলাদেশ", None, None, None, HDX)
    }
    for row in _rows("bd_divisions.csv"):
        areas[row["pcode"]] = Area(
            row["pcode"],
            "division",
            "division",
            clean_text(row["name_en"]),
            _none(row["name_bn"]),
            _none(row["hdx_name_en"]),
            COUNTRY,
            _point(row),
            f"{NUHIL}; {HDX}",
            _float(row["area_sqkm"]),
            _none(row["website"]),
        )
    for row in _rows("bd_districts.csv"):
        areas[row["pcode"]] = Area(
            row["pcode"],
            "district",
            "district",
            clean_text(row["name_en"]),
            _none(row["name_bn"]),
            _none(row["hdx_name_en"]),
            row["division_pcode"],
            _point(row),
            f"{NUHIL}; {HDX}",
            _float(row["area_sqkm"]),
            _none(row["website"]),
            _point(row, "dc_office_lat", "dc_office_lon"),
        )
    for row in _rows("bd_upazilas.csv"):
        areas[row["pcode"]] = Area(
            row["pcode"],
            "upazila",
            row["kind"],
            clean_text(row["name_en"]),
            _none(row["name_bn"]),
            _none(row["hdx_name_en"]),
            row["district_pcode"],
            _point(row),
            HDX if row["match"] == "hdx_only" else f"{NUHIL}; {HDX}",
            _float(row["area_sqkm"]),
            _none(row["website"]),
        )
    nuhil_unions = {
        row["hdx_adm4_pcode"]: row for row in _rows("bd_unions.csv") if row["hdx_adm4_pcode"]
    }
    for row in _rows("bd_adm4_hdx2015_unions_wards.csv"):
        nuhil = nuhil_unions.get(row["pcode"])
        area = Area(
            row["pcode"],
            "union",
            row["kind"],
            clean_text(row["name_en"]),
            _none(nuhil["name_bn"]) if nuhil else None,
            clean_text(row["name_en"]),
            row["upazila_pcode_v03"],
            _point(row),
            f"{HDX}; {NUHIL}" if nuhil else HDX,
            website=_none(nuhil["website"]) if nuhil else None,
        )
        if nuhil:
            area.variants.append(clean_text(nuhil["name_en"]))
        areas[row["pcode"]] = area
    for area in areas.values():
        chain: dict[str, str] = {}
        node: Area | None = area
        while node is not None:
            chain[node.level] = node.pcode
            node = areas.get(node.parent_pcode) if node.parent_pcode else None
        area.chain = chain
    for entry in yaml.safe_load((GEO / "variants.yaml").read_text(encoding="utf-8")):
        variant = VariantRecord.model_validate(entry)
        target = areas[variant.pcode]
        target.variants.extend(variant.names)
        if variant.name_bn and not target.name_bn:
            target.name_bn = variant.name_bn
    return areas


def _boundaries() -> dict[str, str]:
    shapes: dict[str, str] = {}
    for path in sorted((GEO / "boundaries").glob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            shapes[feature["properties"]["pcode"]] = json.dumps(feature["geometry"])
    return shapes


def names_of(area: Area) -> list[tuple[str, str, str]]:
    """(name, lang, origin) of every distinct spelling of an area."""
    seen: set[str] = set()
    out: list[tuple[str, str, str]] = []
    for name, lang, origin in [
        (area.name_en, "en", "nuhil"),
        (area.hdx_name_en, "en", "hdx"),
        (area.name_bn, "bn", "nuhil"),
        *((variant, "bn" if _is_bangla(variant) else "en", "variant") for variant in area.variants),
    ]:
        if name and search_key(name) not in seen:
            seen.add(search_key(name))
            out.append((name, lang, origin))
    return out


def _is_bangla(value: str) -> bool:
    return any("\u0980" <= char <= "\u09ff" for char in value)


def load_gazetteer(conn: Connection, areas: dict[str, Area]) -> int:
    """Upsert every unit with its boundary and names; returns the number of units."""
    shapes = _boundaries()
    levels = ["country", "division", "district", "upazila", "union"]
    rows = [
        {
            "pcode": a.pcode,
            "level": a.level,
            "kind": a.kind,
            "name_en": a.name_en,
            "name_bn": a.name_bn,
            "hdx_name_en": a.hdx_name_en,
            "parent_pcode": a.parent_pcode,
            "division_pcode": a.chain.get("division"),
            "district_pcode": a.chain.get("district"),
            "upazila_pcode": a.chain.get("upazila"),
            "union_pcode": a.chain.get("union"),
            "lat": a.centroid[0] if a.centroid else None,
            "lng": a.centroid[1] if a.centroid else None,
            "boundary": shapes.get(a.pcode),
            "area_sqkm": a.area_sqkm,
            "website": a.website,
            "source": a.source,
        }
        for a in sorted(areas.values(), key=lambda a: levels.index(a.level))
    ]
    conn.execute(
        text(
            """
            INSERT INTO admin_area (pcode, level, kind, name_en, name_bn, hdx_name_en, parent_pcode,
              division_pcode, district_pcode, upazila_pcode, union_pcode, centroid, boundary,
              area_sqkm, website, source)
            VALUES (:pcode, :level, :kind, :name_en, :name_bn, :hdx_name_en, :parent_pcode,
              :division_pcode, :district_pcode, :upazila_pcode, :union_pcode,
              CASE WHEN CAST(:lat AS float8) IS NOT NULL
                THEN ST_SetSRID(ST_MakePoint(CAST(:lng AS float8), CAST(:lat AS float8)), 4326) END,
              ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(CAST(:boundary AS text)), 4326)),
              :area_sqkm, :website, :source)
            ON CONFLICT (pcode) DO UPDATE SET level = EXCLUDED.level, kind = EXCLUDED.kind,
              name_en = EXCLUDED.name_en, name_bn = EXCLUDED.name_bn,
              hdx_name_en = EXCLUDED.hdx_name_en, parent_pcode = EXCLUDED.parent_pcode,
              division_pcode = EXCLUDED.division_pcode, district_pcode = EXCLUDED.district_pcode,
              upazila_pcode = EXCLUDED.upazila_pcode, union_pcode = EXCLUDED.union_pcode,
              centroid = EXCLUDED.centroid, boundary = EXCLUDED.boundary,
              area_sqkm = EXCLUDED.area_sqkm, website = EXCLUDED.website, source = EXCLUDED.source
            """
        ),
        rows,
    )
    # The country is the union of its divisions.
    conn.execute(
        text(
            """
            UPDATE admin_area SET
              boundary = (SELECT ST_Multi(ST_Union(boundary)) FROM admin_area
                          WHERE level = 'division'),
              centroid = (SELECT ST_PointOnSurface(ST_Union(boundary)) FROM admin_area
                          WHERE level = 'division')
            WHERE pcode = :pcode
            """
        ),
        {"pcode": COUNTRY},
    )
    conn.execute(text("DELETE FROM admin_area_name"))
    conn.execute(
        text(
            "INSERT INTO admin_area_name (pcode, name, name_key, lang, origin) "
            "VALUES (:pcode, :name, :name_key, :lang, :origin)"
        ),
        [
            {
                "pcode": a.pcode,
                "name": name,
                "name_key": search_key(name),
                "lang": lang,
                "origin": origin,
            }
            for a in areas.values()
            for name, lang, origin in names_of(a)
        ],
    )
    return len(rows)


def gazetteer_is_loaded(conn: Connection, areas: dict[str, Area]) -> bool:
    """True when the database holds exactly the units of the files (so loading can be skipped)."""
    count = conn.execute(text("SELECT count(*) FROM admin_area")).scalar_one()
    names = conn.execute(text("SELECT count(*) FROM admin_area_name")).scalar_one()
    return bool(count == len(areas) and names == sum(len(names_of(a)) for a in areas.values()))
