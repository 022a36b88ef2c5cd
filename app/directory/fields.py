"""Constrained types that the directory's write API and its seed records share: one rule each."""

from typing import Annotated, Literal

from pydantic import Field

# a phone number as people write it: digits (Latin or Bangla), spaces, brackets, dashes
PHONE_PATTERN = r"^\+?[0-9০-৯][0-9০-৯ ()\-]{1,24}$"
PhoneNumber = Annotated[str, Field(pattern=PHONE_PATTERN)]
LegalStatus = Literal[
    "ngo", "government", "private", "police", "local_government", "international", "community"
]
# coordinates within Bangladesh
LATITUDE_RANGE = (20.3, 26.7)
LONGITUDE_RANGE = (88.0, 92.7)
Latitude = Annotated[float, Field(ge=LATITUDE_RANGE[0], le=LATITUDE_RANGE[1])]
Longitude = Annotated[float, Field(ge=LONGITUDE_RANGE[0], le=LONGITUDE_RANGE[1])]
