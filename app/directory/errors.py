"""Errors of the directory domain."""

from app.core.errors import InvalidField, NotFound


class ServiceNotFound(NotFound):
    """Templates quote the id (`!r`): pass it as the string the request sent."""

    code = "service-not-found"
    en = "No service with id {service_id!r}."
    bn = "{service_id!r} আইডির কোনো সেবা নেই।"


class OrganizationNotFound(NotFound):
    code = "organization-not-found"
    en = "No organization with id {organization_id!r}."
    bn = "{organization_id!r} আইডির কোনো সংস্থা নেই।"


class ServiceAtLocationNotFound(NotFound):
    code = "service-at-location-not-found"
    en = "No service_at_location with id {sal_id!r}."
    bn = "{sal_id!r} আইডির কোনো service_at_location নেই।"


class TaxonomyNotFound(NotFound):
    code = "taxonomy-not-found"
    en = "No taxonomy with id {taxonomy_id!r}."
    bn = "{taxonomy_id!r} আইডির কোনো শ্রেণিবিন্যাস নেই।"


class TaxonomyTermNotFound(NotFound):
    code = "taxonomy-term-not-found"
    en = "No taxonomy term with id {term_id!r}."
    bn = "{term_id!r} আইডির কোনো শ্রেণি নেই।"


class InvalidReference(InvalidField):
    """A body field names a record or place that does not exist."""

    code = "invalid-reference"
