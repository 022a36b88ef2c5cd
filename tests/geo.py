"""Great-circle helpers for checking distances independently of PostGIS."""

import math

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, the sphere PostGIS uses for geography(..., false)


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def offset_north(lat: float, lng: float, km: float) -> tuple[float, float]:
    """The point `km` due north of (lat, lng) on the sphere."""
    return lat + math.degrees(km / EARTH_RADIUS_KM), lng


def offset_east(lat: float, lng: float, km: float) -> tuple[float, float]:
    """The point `km` due east along the parallel (close to great-circle for short distances)."""
    return lat, lng + math.degrees(km / (EARTH_RADIUS_KM * math.cos(math.radians(lat))))
