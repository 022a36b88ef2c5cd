"""What people ask for by SMS, and where: the counts by need and upazila, which carry no
sender (app/sms/store.py), for the district admins who keep the directory up to date."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.auth.actor import Actor
from app.core.params import PeriodDep
from app.directory.models import TaxonomyTerm
from app.gazetteer.models import AdminArea
from app.sms.models import SmsAskCount
from app.sms.policy import NotSmsReader, sms_report_reach

__all__ = ["PeriodDep", "SmsReport", "sms_report"]


class SmsCount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    need: str | None = Field(description="The category asked for; null: none was named.")
    need_name: str | None
    need_name_bn: str | None
    district_pcode: str | None = Field(description="null: no place was named.")
    district: str | None
    district_bn: str | None
    upazila_pcode: str | None = Field(description="null: the place was a whole district.")
    upazila: str | None
    upazila_bn: str | None
    count: int


class SmsReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: date | None = Field(alias="from")
    until: date | None = Field(alias="to")
    districts: list[str] | None = Field(description="The districts counted; null: all.")
    total: int
    counts: list[SmsCount] = Field(description="By need and upazila, the most asked first.")


async def sms_report(
    session: AsyncSession, actor: Actor, *, since: date | None, until: date | None
) -> SmsReport:
    """The questions of the period (Dhaka days, both inclusive) by need and upazila."""
    reach = sms_report_reach(actor)
    if reach is None:
        raise NotSmsReader()
    place = aliased(AdminArea)
    district = aliased(AdminArea)
    upazila = aliased(AdminArea)
    columns = (
        SmsAskCount.need.label("need"),
        TaxonomyTerm.name.label("need_name"),
        TaxonomyTerm.name_bn.label("need_name_bn"),
        place.district_pcode.label("district_pcode"),
        district.name_en.label("district"),
        district.name_bn.label("district_bn"),
        place.upazila_pcode.label("upazila_pcode"),
        upazila.name_en.label("upazila"),
        upazila.name_bn.label("upazila_bn"),
    )
    total = func.sum(SmsAskCount.count).label("count")
    stmt = (
        select(*columns, total)
        .outerjoin(TaxonomyTerm, TaxonomyTerm.code == SmsAskCount.need)
        .outerjoin(place, place.pcode == SmsAskCount.place_pcode)
        .outerjoin(district, district.pcode == place.district_pcode)
        .outerjoin(upazila, upazila.pcode == place.upazila_pcode)
        .group_by(*columns)
        .order_by(total.desc(), SmsAskCount.need, place.upazila_pcode)
    )
    if since:
        stmt = stmt.where(SmsAskCount.day >= since)
    if until:
        stmt = stmt.where(SmsAskCount.day <= until)
    districts = None
    if not reach.everything:
        districts = sorted(reach.districts)
        stmt = stmt.where(place.district_pcode.in_(districts))
    counts = [
        SmsCount.model_validate({**row._mapping, "need": row.need or None})
        for row in await session.execute(stmt)
    ]
    return SmsReport.model_validate(
        {
            "from": since,
            "to": until,
            "districts": districts,
            "total": sum(c.count for c in counts),
            "counts": counts,
        }
    )
