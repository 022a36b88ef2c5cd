"""Errors of the directory domain."""

from app.auth.errors import TooManyAttempts
from app.core.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    InvalidParameter,
    InvalidPathParameter,
    NotFound,
)


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


class RecordNotFound(NotFound):
    """Any directory record by its kind (`schedule`, `phone`, ...) and id."""

    en = "No {kind} with id {record_id}."
    bn = "{record_id} আইডির কোনো তথ্য ({kind}) নেই।"


class NotYourEntry(Forbidden):
    en = "Your role does not allow changing this entry."
    bn = "আপনার ভূমিকায় এই তথ্য পরিবর্তনের অনুমতি নেই।"


class UnknownOrganization(InvalidReference):
    en = "no such organization"
    bn = "এমন কোনো সংস্থা নেই"


class UnknownDistrict(InvalidReference):
    en = "unknown district {value!r}"
    bn = "অজানা জেলা {value!r}"


class NothingToChange(InvalidField):
    """A PATCH whose body names no field: the whole body is the input at fault."""

    field = "body"
    en = "send at least one field to change"
    bn = "অন্তত একটি ক্ষেত্র পাঠান"


class UnknownCategories(InvalidReference):
    field = "categories"
    en = "unknown categories {codes}"
    bn = "অজানা সেবার ধরন {codes}"


class UnknownCategoryInPath(InvalidPathParameter):
    code = "invalid-reference"
    field = "code"
    en = "unknown category {code!r}"
    bn = "অজানা সেবার ধরন {code!r}"


class ForeignLocations(InvalidReference):
    field = "location_ids"
    en = "locations must exist and belong to the service's organization"
    bn = "অবস্থানগুলো থাকতে হবে এবং সেবার সংস্থার হতে হবে"


class UnknownServiceArea(InvalidReference):
    field = "service_area"
    en = "{value!r} is not one known place; use a pcode"
    bn = "{value!r} একটি পরিচিত স্থান নয়; pcode দিন"


class NeedsAPlace(InvalidReference):
    field = "location_ids"
    en = "a service needs a location or a service_area"
    bn = "সেবার একটি অবস্থান বা সেবা-এলাকা দরকার"


class KeepsAPlace(InvalidReference):
    field = "location_ids"
    en = "a service keeps a location or a service_area"
    bn = "সেবার একটি অবস্থান বা সেবা-এলাকা থাকতে হবে"


class KeepsACategory(InvalidReference):
    field = "categories"
    en = "a service keeps at least one category"
    bn = "সেবার অন্তত একটি ধরন থাকতে হবে"


class AgesOutOfOrder(InvalidField):
    field = "maximum_age"
    en = "minimum_age is above maximum_age"
    bn = "সর্বনিম্ন বয়স সর্বোচ্চ বয়সের বেশি"


class OutOfOrder(InvalidField):
    """Opening hours or validity dates whose end comes before their start."""

    en = "{problem}"
    bn = "{problem_bn}"


class InvalidPattern(InvalidField):
    field = "case_ref_pattern"
    en = "is not a valid regular expression"
    bn = "সঠিক রেগুলার এক্সপ্রেশন নয়"


class OnlyPlaceOfServices(Conflict):
    code = "only-place-of-services"
    en = "This is the only place of {names}: give them another location or a service area first."
    bn = "এটি {names_bn} সেবার একমাত্র স্থান: আগে অন্য অবস্থান বা সেবা-এলাকা দিন।"


# search parameters: each names its query parameter


class NotFinite(InvalidParameter):
    en = "must be a finite number"
    bn = "একটি সসীম সংখ্যা হতে হবে"


class BadBBox(InvalidParameter):
    field = "bbox"
    en = "must be four numbers: minLng,minLat,maxLng,maxLat"
    bn = "চারটি সংখ্যা দিন: minLng,minLat,maxLng,maxLat"


class BBoxLongitudes(InvalidParameter):
    field = "bbox"
    en = "longitudes must lie within -180..180"
    bn = "দ্রাঘিমা -১৮০..১৮০ এর মধ্যে হতে হবে"


class BBoxLatitudes(InvalidParameter):
    field = "bbox"
    en = "latitudes must lie within -90..90"
    bn = "অক্ষাংশ -৯০..৯০ এর মধ্যে হতে হবে"


class BBoxOrder(InvalidParameter):
    field = "bbox"
    en = "minimum must not exceed maximum"
    bn = "সর্বনিম্ন মান সর্বোচ্চের বেশি হতে পারে না"


LEVEL_BN = {
    "division": "বিভাগ",
    "district": "জেলা",
    "upazila": "উপজেলা",
    "union": "ইউনিয়ন",
    "place": "স্থান",
}


class UnknownPlace(InvalidParameter):
    """`level` is an admin level (division ... union) or the generic `place`."""

    en = "unknown {level} {value!r}"
    bn = "অজানা {level_bn} {value!r}"

    def __init__(self, *, field: str, level: str, value: str) -> None:
        super().__init__(field=field, level=level, level_bn=LEVEL_BN[level], value=value)


class AmbiguousPlace(InvalidParameter):
    field = "near"
    en = "{value!r} names several places: {options}; use a pcode"
    bn = "{value!r} নামে একাধিক স্থান আছে; pcode ব্যবহার করুন"


class UnknownCategory(InvalidParameter):
    field = "category"
    en = "unknown category {unknown!r}; known: {known}"
    bn = "অজানা সেবার ধরন {unknown!r}"


class UnknownFacet(InvalidParameter):
    field = "facets"
    en = "unknown facet {unknown!r}; known: {known}"
    bn = "অজানা facet {unknown}"


class LatLngTogether(InvalidParameter):
    en = "lat and lng must be given together"
    bn = "lat ও lng একসাথে দিতে হবে"


class NearOrLatLng(InvalidParameter):
    field = "near"
    en = "give either near or lat/lng, not both"
    bn = "near অথবা lat/lng, যেকোনো একটি দিন"


class RadiusNeedsPoint(InvalidParameter):
    field = "radius_km"
    en = "needs lat/lng or near"
    bn = "lat/lng অথবা near প্রয়োজন"


class RadiusTooLarge(InvalidParameter):
    field = "radius_km"
    en = "must not exceed {limit:g}"
    bn = "{limit:g} এর বেশি হতে পারবে না"


class DistanceNeedsPoint(InvalidParameter):
    field = "sort"
    en = "sort=distance needs lat/lng or near"
    bn = "sort=distance এর জন্য lat/lng অথবা near প্রয়োজন"


class RelevanceNeedsSearch(InvalidParameter):
    field = "sort"
    en = "sort=relevance needs search"
    bn = "sort=relevance এর জন্য search প্রয়োজন"


# corrections


class TooManySuggestions(TooManyAttempts):
    en = "Too many suggestions from this client in the last hour; try again later."
    bn = "গত এক ঘণ্টায় এই ক্লায়েন্ট থেকে অনেক প্রস্তাব এসেছে; পরে আবার চেষ্টা করুন।"


RECORD_BN = {"organization": "প্রতিষ্ঠানের", "service": "সেবার", "location": "স্থানের", "phone": "ফোনের"}


class NotCorrectable(InvalidField):
    field = "field"
    en = "{resource_type} corrections may change: {fields}"
    bn = "{resource_type_bn} সংশোধনে বদলানো যায় শুধু: {fields}"


class NotModerator(Forbidden):
    en = "Only admins and district admins moderate corrections."
    bn = "শুধু অ্যাডমিন ও জেলা অ্যাডমিন সংশোধন যাচাই করেন।"


class OtherDistrictsCorrection(Forbidden):
    en = "This correction belongs to another district's queue."
    bn = "এই সংশোধনটি অন্য জেলার তালিকার।"


class CorrectionNotFound(NotFound):
    en = "No correction with id {correction_id}."
    bn = "{correction_id} আইডির কোনো সংশোধন নেই।"


class AlreadyDecided(Conflict):
    code = "correction-already-decided"
    en = "The correction was {status} already."
    bn = "সংশোধনটির সিদ্ধান্ত আগেই হয়েছে।"


class NotApplicable(InvalidField):
    """The stored proposal breaks a rule of the entry it would change."""

    field = "proposed_value"
    en = "cannot be applied: {reason}; dismiss it or edit the entry"
    bn = "প্রস্তাবিত মানটি প্রয়োগ করা যায় না"


class PostcodeNotSupported(InvalidParameter):
    """HSDS's `postcode` and `proximity` need a post-code list with centroids; Bangladesh has no
    sourced one in this directory, so they are refused rather than silently ignored."""

    code = "postcode-not-supported"
    en = (
        "is not supported: this directory holds no Bangladesh post-code list; search around a "
        "place instead, e.g. near=Kalaroa&radius_km=5"
    )
    bn = (
        "সমর্থিত নয়: এই নির্দেশিকায় বাংলাদেশের পোস্ট কোডের তালিকা নেই; বরং কোনো জায়গার "
        "আশপাশে খুঁজুন, যেমন near=Kalaroa&radius_km=5"
    )


class TopOnlyOrParent(InvalidParameter):
    field = "top_only"
    en = "give top_only=true or parent_id, not both (top terms have no parent)"
    bn = "top_only=true অথবা parent_id দিন, দুটো একসাথে নয় (শীর্ষ শ্রেণির কোনো অভিভাবক নেই)"


class NotWithNdjson(InvalidParameter):
    en = "is not used with format=ndjson: the stream holds every match, unpaged, by name"
    bn = "format=ndjson-এর সঙ্গে ব্যবহার হয় না: স্ট্রিমে নাম অনুযায়ী সব ফলাফল থাকে, পাতা ছাড়া"


class MinimalOrFull(InvalidParameter):
    field = "minimal"
    en = "give minimal=true or full=true, not both"
    bn = "minimal=true অথবা full=true দিন, দুটো একসাথে নয়"
