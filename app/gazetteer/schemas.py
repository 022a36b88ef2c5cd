"""What the API shows of administrative units."""

from pydantic import BaseModel, Field

from search.query import AdminLevel


class PlaceRef(BaseModel):
    """An administrative unit by its pcode, level and names."""

    pcode: str = Field(description="HDX COD-AB pcode")
    level: AdminLevel
    name: str = Field(description="English name")
    name_bn: str | None = Field(default=None, description="Bangla name; absent where unknown")


class PlaceRead(PlaceRef):
    """An administrative unit with the unit it is part of and its centre."""

    parent: PlaceRef | None = Field(
        default=None, description="the unit one level up; absent for a division"
    )
    lat: float | None = Field(
        default=None, description="latitude of the unit's admin centroid (WGS84)"
    )
    lng: float | None = Field(
        default=None, description="longitude of the unit's admin centroid (WGS84)"
    )
