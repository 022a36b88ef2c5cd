"""HSDS 3.0 directory tables, with Bangla text columns and provenance for Bangladesh."""

import uuid
from datetime import date, datetime, time
from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TimestampMixin


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class ProvenanceMixin:
    """Where a record came from, under which licence, and when someone last verified it."""

    data_source: Mapped[str] = mapped_column(Text, default="manual")
    source_note: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    assured_date: Mapped[date | None] = mapped_column(Date)
    # the verifying user's sign-in name, kept internal: public reads show its organization
    assurer_email: Mapped[str | None] = mapped_column(Text)
    # the verifying user's organization, shown publicly as who vouches for the entry
    assurer_organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )


class Taxonomy(Base):
    """A classification scheme (HSDS `taxonomy`)."""

    __tablename__ = "taxonomy"

    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(Text)
    name_bn: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    description_bn: Mapped[str] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(Text)


class TaxonomyTerm(Base):
    """A service category (HSDS `taxonomy_term`), addressed by its stable `code`."""

    __tablename__ = "taxonomy_term"

    id: Mapped[uuid.UUID] = _id()
    code: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    name_bn: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    description_bn: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("taxonomy_term.id"))
    taxonomy_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("taxonomy.id"), index=True)
    language: Mapped[str | None] = mapped_column(Text)
    term_uri: Mapped[str | None] = mapped_column(Text)
    # everyday words, English and Bangla, that mean this category ("lawyer", "আইনজীবী")
    keywords: Mapped[str | None] = mapped_column(Text)

    taxonomy: Mapped[Taxonomy] = relationship(lazy="raise")


class Organization(ProvenanceMixin, TimestampMixin, Base):
    """A provider organization (HSDS `organization`) with its home district."""

    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint("char_length(case_ref_pattern) <= 200", name="case_ref_pattern"),
    )

    id: Mapped[uuid.UUID] = _id()
    slug: Mapped[str | None] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    name_bn: Mapped[str | None] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    description_bn: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    legal_status: Mapped[str | None] = mapped_column(Text)
    district_pcode: Mapped[str | None] = mapped_column(ForeignKey("admin_area.pcode"), index=True)
    parent_organization_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organization.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # the pattern the organization's case references follow (a PostgreSQL regular expression,
    # matched whole); none: a case reference must hold a digit
    case_ref_pattern: Mapped[str | None] = mapped_column(Text)

    services: Mapped[list["Service"]] = relationship(
        back_populates="organization", lazy="raise", foreign_keys="Service.organization_id"
    )
    phones: Mapped[list["Phone"]] = relationship(
        lazy="raise", primaryjoin="Organization.id == foreign(Phone.organization_id)", viewonly=True
    )


class Service(ProvenanceMixin, TimestampMixin, Base):
    """A service offered by an organization (HSDS `service`)."""

    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(
            "status IN ('active', 'inactive', 'defunct', 'temporarily closed')", name="status"
        ),
        CheckConstraint(
            "minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age", name="ages"
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    slug: Mapped[str | None] = mapped_column(Text, unique=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(Text)
    name_bn: Mapped[str | None] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    description_bn: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="active")
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    eligibility_description_bn: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    alert: Mapped[str | None] = mapped_column(Text)
    alert_bn: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(
        back_populates="services", lazy="raise", foreign_keys=[organization_id]
    )
    service_at_locations: Mapped[list["ServiceAtLocation"]] = relationship(
        back_populates="service", lazy="raise", cascade="all, delete-orphan"
    )
    phones: Mapped[list["Phone"]] = relationship(
        lazy="raise", primaryjoin="Service.id == foreign(Phone.service_id)", viewonly=True
    )
    schedules: Mapped[list["Schedule"]] = relationship(
        lazy="raise", primaryjoin="Service.id == foreign(Schedule.service_id)", viewonly=True
    )
    service_areas: Mapped[list["ServiceArea"]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )
    cost_options: Mapped[list["CostOption"]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )
    languages: Mapped[list["Language"]] = relationship(
        lazy="raise", primaryjoin="Service.id == foreign(Language.service_id)", viewonly=True
    )
    contacts: Mapped[list["Contact"]] = relationship(
        lazy="raise", primaryjoin="Service.id == foreign(Contact.service_id)", viewonly=True
    )
    attributes: Mapped[list["Attribute"]] = relationship(
        lazy="raise",
        primaryjoin="and_(Service.id == foreign(Attribute.link_id), "
        "Attribute.link_entity == 'service')",
        viewonly=True,
    )


class Location(ProvenanceMixin, TimestampMixin, Base):
    """A place (HSDS `location`); the database derives `geom` and the admin codes on write."""

    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint("location_type IN ('physical', 'postal', 'virtual')", name="type"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        Index("ix_location_geom", "geom", postgresql_using="gist"),
        # radius filters on single locations use geography distances
        Index("ix_location_geog", text("(geom::geography)"), postgresql_using="gist"),
    )

    id: Mapped[uuid.UUID] = _id()
    slug: Mapped[str | None] = mapped_column(Text, unique=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    location_type: Mapped[str] = mapped_column(Text, default="physical")
    url: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    name_bn: Mapped[str | None] = mapped_column(Text)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    description_bn: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    coordinates_approximate: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false"
    )
    coordinates_source: Mapped[str | None] = mapped_column(Text)
    external_identifier: Mapped[str | None] = mapped_column(Text)
    external_identifier_type: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=True)
    division_pcode: Mapped[str | None] = mapped_column(Text, index=True)
    district_pcode: Mapped[str | None] = mapped_column(Text, index=True)
    upazila_pcode: Mapped[str | None] = mapped_column(Text, index=True)
    union_pcode: Mapped[str | None] = mapped_column(Text, index=True)
    # a shelter or safe home: public reads and search documents never carry where it is
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")

    addresses: Mapped[list["Address"]] = relationship(lazy="raise", cascade="all, delete-orphan")
    phones: Mapped[list["Phone"]] = relationship(
        lazy="raise", primaryjoin="Location.id == foreign(Phone.location_id)", viewonly=True
    )
    schedules: Mapped[list["Schedule"]] = relationship(
        lazy="raise", primaryjoin="Location.id == foreign(Schedule.location_id)", viewonly=True
    )


class ServiceAtLocation(Base):
    """Where a service is delivered (HSDS `service_at_location`)."""

    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="service_at_locations", lazy="raise")
    location: Mapped[Location] = relationship(lazy="raise")


class Address(Base):
    """A postal or physical address of a location (HSDS `address`)."""

    __tablename__ = "address"

    id: Mapped[uuid.UUID] = _id()
    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    attention: Mapped[str | None] = mapped_column(Text)
    address_1: Mapped[str] = mapped_column(Text)
    address_2: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    state_province: Mapped[str] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str] = mapped_column(Text, default="BD")
    address_type: Mapped[str] = mapped_column(Text, default="physical")


class Phone(Base):
    """A phone number of an organization, service, location or contact (HSDS `phone`)."""

    __tablename__ = "phone"

    id: Mapped[uuid.UUID] = _id()
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE")
    )
    service_at_location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE")
    )
    number: Mapped[str] = mapped_column(Text)
    extension: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    description_bn: Mapped[str | None] = mapped_column(Text)
    source_note: Mapped[str | None] = mapped_column(Text)


class Schedule(Base):
    """When a service or location is open (HSDS `schedule`, iCal-style)."""

    __tablename__ = "schedule"
    __table_args__ = (
        CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="hours"
        ),
        CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name="validity"
        ),
    )

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE")
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    dtstart: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[int | None] = mapped_column(Integer)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    wkst: Mapped[str | None] = mapped_column(Text)
    freq: Mapped[str | None] = mapped_column(Text)
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(Text)
    byweekno: Mapped[str | None] = mapped_column(Text)
    bymonthday: Mapped[str | None] = mapped_column(Text)
    byyearday: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    description_bn: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    schedule_link: Mapped[str | None] = mapped_column(Text)
    attending_type: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class Contact(Base):
    """A named role to contact at an organization or service (HSDS `contact`)."""

    __tablename__ = "contact"

    id: Mapped[uuid.UUID] = _id()
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE")
    )
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE")
    )
    name: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)


class Language(Base):
    """A language a service, location or phone line is offered in (HSDS `language`)."""

    __tablename__ = "language"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE")
    )
    phone_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("phone.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class CostOption(Base):
    """A price of a service (HSDS `cost_option`); `amount = 0` means free of cost."""

    __tablename__ = "cost_option"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    amount_description: Mapped[str | None] = mapped_column(Text)


class ServiceArea(Base):
    """The area a service covers (HSDS `service_area`), tied to a gazetteer unit by
    `admin_pcode`."""

    __tablename__ = "service_area"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    admin_pcode: Mapped[str | None] = mapped_column(ForeignKey("admin_area.pcode"), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    name_bn: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[str | None] = mapped_column(Text)
    extent_type: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(Text)


class Attribute(Base):
    """Links a record to a taxonomy term (HSDS `attribute`); services link to their categories."""

    __tablename__ = "attribute"
    __table_args__ = (
        UniqueConstraint("link_id", "taxonomy_term_id"),
        Index("ix_attribute_link_id", "link_id"),
    )

    id: Mapped[uuid.UUID] = _id()
    link_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    taxonomy_term_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="CASCADE"), index=True
    )
    link_type: Mapped[str | None] = mapped_column(Text)
    link_entity: Mapped[str] = mapped_column(Text, default="service")
    value: Mapped[str | None] = mapped_column(Text)

    taxonomy_term: Mapped[TaxonomyTerm] = relationship(lazy="raise")


class RecordChange(Base):
    """One changed field of a directory record, in the spirit of HSDS `metadata`."""

    __tablename__ = "record_change"
    __table_args__ = (
        Index("ix_record_change_resource", "resource_id", "last_action_date"),
        Index("ix_record_change_organization", "organization_id", "last_action_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    resource_type: Mapped[str] = mapped_column(Text)
    # the organization responsible for the record, so that its history includes everything under it
    organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    last_action_date: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_action_type: Mapped[str] = mapped_column(Text)  # create | update | verify | deactivate
    field_name: Mapped[str] = mapped_column(Text)
    previous_value: Mapped[str | None] = mapped_column(Text)
    replacement_value: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(Text)  # the user's email
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Correction(TimestampMixin, Base):
    """A correction to a public entry suggested by anyone, until a district admin decides on it."""

    __tablename__ = "correction"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'accepted', 'dismissed')", name="status"),
        Index("ix_correction_status_district", "status", "district_pcode"),
        Index("ix_correction_client_created_at", "client", "created_at"),
    )

    id: Mapped[uuid.UUID] = _id()
    resource_type: Mapped[str] = mapped_column(Text)
    resource_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    field: Mapped[str] = mapped_column(Text)
    current_value: Mapped[str | None] = mapped_column(Text)
    proposed_value: Mapped[str] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    district_pcode: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(Text, default="pending")
    client: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decision_note: Mapped[str | None] = mapped_column(Text)
