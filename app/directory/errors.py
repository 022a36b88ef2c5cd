"""Errors of the directory domain."""

from app.core.errors import InvalidField, NotFound


class ServiceNotFound(NotFound):
    code = "service-not-found"


class OrganizationNotFound(NotFound):
    code = "organization-not-found"


class ServiceAtLocationNotFound(NotFound):
    code = "service-at-location-not-found"


class TaxonomyNotFound(NotFound):
    code = "taxonomy-not-found"


class TaxonomyTermNotFound(NotFound):
    code = "taxonomy-term-not-found"


class InvalidReference(InvalidField):
    """A body field names a record or place that does not exist."""

    code = "invalid-reference"
