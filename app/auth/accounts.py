"""Account administration from the command line (synchronous): create, reset, disable, demo."""

import contextlib
import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.auth.actor import ROLES, Role
from app.auth.models import User, UserDistrict
from app.auth.service import account_key, hash_password
from app.directory.models import Organization
from app.gazetteer.models import AdminArea, AdminAreaName
from search.text import search_key

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (published in the README; development only)
# (email, role, organization slug, districts); the seed reports say Rights Jessore developed the
# Jashore district directory, so the platform and district demo admins sit there.
DEMO_USERS = [
    ("admin@demo.test", "admin", "rights-jessore", ()),
    ("district-admin@jashore.demo.test", "district_admin", "rights-jessore", ("BD4041",)),
    ("caseworker@rights-jessore.demo.test", "caseworker", "rights-jessore", ()),
    ("focal@legal-aid-jashore.demo.test", "caseworker", "district-legal-aid-office-jashore", ()),
    ("caseworker@dam.demo.test", "caseworker", "dhaka-ahsania-mission", ()),
]


class AccountError(ValueError):
    """An account command that cannot be carried out (shown to the operator as is)."""


def find_organization(session: Session, ref: str) -> Organization:
    """An organization by id, slug or exact name."""
    conditions = [Organization.slug == ref, func.lower(Organization.name) == ref.lower()]
    with contextlib.suppress(ValueError):
        conditions.append(Organization.id == uuid.UUID(ref))
    found = session.execute(select(Organization).where(or_(*conditions))).scalars().all()
    if len(found) != 1:
        raise AccountError(f"{len(found)} organizations match {ref!r}; give its id or slug")
    return found[0]


def find_district(session: Session, ref: str) -> str:
    """A district pcode from a pcode or any known name."""
    names = select(AdminAreaName.pcode).where(AdminAreaName.name_key == search_key(ref))
    stmt = select(AdminArea.pcode).where(
        AdminArea.level == "district",
        or_(AdminArea.pcode == ref.upper(), AdminArea.pcode.in_(names)),
    )
    pcodes = session.execute(stmt).scalars().all()
    if len(pcodes) != 1:
        raise AccountError(f"unknown district {ref!r}")
    return pcodes[0]


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    organization: str,
    role: str,
    districts: list[str],
) -> User:
    """A new active user; district admins need at least one district, others none."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 12:
        raise AccountError("passwords have at least 12 characters")
    if (role == Role.DISTRICT_ADMIN) != bool(districts):
        raise AccountError("district admins, and only they, are given districts")
    email = account_key(email)
    if session.execute(select(User.id).where(User.email == email)).first():
        raise AccountError(f"a user {email} exists already")
    org = find_organization(session, organization)
    user = User(
        email=email, password_hash=hash_password(password), organization_id=org.id, role=role
    )
    user.districts = [UserDistrict(district_pcode=find_district(session, d)) for d in districts]
    session.add(user)
    session.flush()
    return user


def _user(session: Session, email: str) -> User:
    user = session.execute(
        select(User).where(User.email == account_key(email))
    ).scalar_one_or_none()
    if user is None:
        raise AccountError(f"no user {email}")
    return user


def reset_password(session: Session, *, email: str, password: str) -> None:
    """A new password; tokens issued before now stop working."""
    if len(password) < 12:
        raise AccountError("passwords have at least 12 characters")
    user = _user(session, email)
    user.password_hash = hash_password(password)
    user.tokens_valid_after = func.now()
    session.flush()


def set_active(session: Session, *, email: str, active: bool) -> None:
    """Disable (tokens stop working at once) or re-enable a user."""
    user = _user(session, email)
    user.active = active
    user.tokens_valid_after = func.now()
    session.flush()


def create_demo_users(session: Session) -> int:
    """The demo accounts of the README (development only); returns how many were added."""
    added = 0
    for email, role, organization, districts in DEMO_USERS:
        if session.execute(select(User.id).where(User.email == email)).first():
            continue
        create_user(
            session,
            email=email,
            password=DEMO_PASSWORD,
            organization=organization,
            role=role,
            districts=list(districts),
        )
        added += 1
    return added
