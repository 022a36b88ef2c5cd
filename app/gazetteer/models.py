"""Bangladesh administrative geography: divisions, districts, upazilas, unions (HDX pcodes)."""

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class AdminArea(Base):
    """One administrative unit; `*_pcode` columns hold the unit's own chain of codes, itself
    included."""

    __tablename__ = "admin_area"
    __table_args__ = (
        CheckConstraint(
            "level IN ('country', 'division', 'district', 'upazila', 'union')", name="level"
        ),
        Index("ix_admin_area_boundary", "boundary", postgresql_using="gist"),
        Index("ix_admin_area_level", "level"),
    )

    pcode: Mapped[str] = mapped_column(Text, primary_key=True)
    level: Mapped[str] = mapped_column(Text)
    # upazila level: upazila | city_corporation; union level: union | paurashava | ward
    kind: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    name_bn: Mapped[str | None] = mapped_column(Text)
    hdx_name_en: Mapped[str | None] = mapped_column(Text)
    parent_pcode: Mapped[str | None] = mapped_column(ForeignKey("admin_area.pcode"))
    division_pcode: Mapped[str | None] = mapped_column(Text, index=True)
    district_pcode: Mapped[str | None] = mapped_column(Text, index=True)
    upazila_pcode: Mapped[str | None] = mapped_column(Text, index=True)
    union_pcode: Mapped[str | None] = mapped_column(Text)
    centroid = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    boundary = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=True
    )
    area_sqkm: Mapped[float | None] = mapped_column(Numeric(12, 2))
    website: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class AdminAreaName(Base):
    """Every known spelling of an area (English, HDX, Bangla, variants) with its search key."""

    __tablename__ = "admin_area_name"
    __table_args__ = (
        # text_pattern_ops: equality and the LIKE prefixes of place pickers, in any collation
        Index(
            "ix_admin_area_name_name_key",
            "name_key",
            postgresql_ops={"name_key": "text_pattern_ops"},
        ),
        # trigrams: the nearest name to a misspelt one (the SMS lookup's KOLAROA)
        Index(
            "ix_admin_area_name_name_key_trgm",
            "name_key",
            postgresql_using="gin",
            postgresql_ops={"name_key": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pcode: Mapped[str] = mapped_column(
        ForeignKey("admin_area.pcode", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(Text)  # en | bn
    origin: Mapped[str] = mapped_column(Text)  # nuhil | hdx | variant
