"""The GeoJSON export (RFC 7946): one Point feature per service at a public located place.

Coordinates are WGS84 longitude, latitude (RFC 7946 has no other CRS); properties are flat
scalars (lists joined with "; ") so that GIS tools such as QGIS and ogr2ogr read them as
columns.
"""

from typing import Any

from app.exports.licences import NOTICE, NOTICE_BN, SOURCES
from app.exports.rows import hours
from app.exports.selection import ExportedService


def _join(values: list[str]) -> str | None:
    return "; ".join(value for value in values if value) or None


def features(item: ExportedService) -> list[dict[str, Any]]:
    """The features of a service: one per public location that has a point."""
    service, organization = item.service, item.organization
    terms = sorted((a.taxonomy_term for a in service.attributes), key=lambda t: t.code)
    found = []
    for sal_id, location in item.placements:
        if location.latitude is None or location.longitude is None:
            continue
        upazila, district = item.area(location.upazila_pcode), item.area(location.district_pcode)
        properties = {
            "service_id": str(service.id),
            "location_id": str(location.id),
            "name": service.name,
            "name_bn": service.name_bn,
            "location_name": location.name,
            "location_name_bn": location.name_bn,
            "organization": organization.name,
            "organization_bn": organization.name_bn,
            "category_codes": _join([term.code for term in terms]),
            "categories": _join([term.name for term in terms]),
            "categories_bn": _join([term.name_bn for term in terms]),
            "phones": _join([phone.number for phone in item.phones()]),
            "hours": _join([hours(schedule) for schedule in item.schedules()]),
            "free_of_cost": item.free_of_cost,
            "upazila": upazila.name if upazila else None,
            "upazila_bn": upazila.name_bn if upazila else None,
            "upazila_pcode": location.upazila_pcode,
            "district": district.name if district else None,
            "district_bn": district.name_bn if district else None,
            "district_pcode": location.district_pcode,
            "coordinates_approximate": location.coordinates_approximate,
            "coordinates_source": location.coordinates_source,
            "verified_date": service.assured_date.isoformat() if service.assured_date else None,
            "status": service.status,
            "data_source": location.data_source,
            "licence": location.licence or service.licence or NOTICE,
        }
        found.append(
            {
                "type": "Feature",
                "id": str(sal_id),
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(location.longitude), float(location.latitude)],
                },
                "properties": properties,
            }
        )
    return found


def collection_members(licences_url: str) -> dict[str, Any]:
    """The FeatureCollection's own members besides `features` (foreign members, RFC 7946 §6.1):
    the licence and attributions."""
    return {
        "type": "FeatureCollection",
        "name": "services",
        "licence": {
            "notice": NOTICE,
            "notice_bn": NOTICE_BN,
            "url": licences_url,
            "attribution": [en for en, _ in SOURCES],
            "attribution_bn": [bn for _, bn in SOURCES],
        },
    }
