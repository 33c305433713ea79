"""Idempotent demo seed: run it as often as you like, it only adds what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from summit.accounts.models import User
from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_user
from summit.summits.enums import Role
from summit.summits.models import Summit
from summit.summits.queries import get_summit_by_slug, roles_of
from summit.summits.services import create_summit, grant_role

DEMO_SLUG = "2027"
DEMO_PASSWORD = "summit-demo-2027"  # noqa: S105 - printed on purpose for the demo
TZ = ZoneInfo("America/Los_Angeles")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role | None
    is_admin: bool = False
    language: str = "en"


DEMO_ACCOUNTS = (
    DemoAccount("admin@summit.example", "Alex Rivera", None, is_admin=True),
    DemoAccount("staff@summit.example", "Dana Whitfield", Role.STAFF),
    DemoAccount("reviewer@summit.example", "Marisol Gutiérrez", Role.REVIEWER, language="es"),
    DemoAccount("door@summit.example", "Jordan Lee", Role.DOOR),
    DemoAccount("presenter@summit.example", "Teresa Nguyen", None),
)


def _local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def seed_summit() -> Summit:
    summit = get_summit_by_slug(DEMO_SLUG)
    if summit is not None:
        return summit
    summit = create_summit(
        slug=DEMO_SLUG,
        name="Community Schools Summit 2027",
        venue="SAFE Credit Union Convention Center, 1400 J Street, Sacramento",
        timezone="America/Los_Angeles",
        starts_on=date(2027, 9, 23),
        ends_on=date(2027, 9, 24),
        cfp_opens_at=_local(2026, 11, 1, 9, 0),
        cfp_closes_at=_local(2027, 2, 26, 17, 0),
        review_deadline_at=_local(2027, 4, 2, 17, 0),
        registration_opens_at=_local(2027, 4, 15, 9, 0),
        registration_closes_at=_local(2027, 9, 10, 17, 0),
        actor=None,
        make_current=True,
    )
    summit.name_es = "Cumbre de Escuelas Comunitarias 2027"
    return summit


def seed_accounts(summit: Summit) -> list[User]:
    users = []
    for account in DEMO_ACCOUNTS:
        user = get_user_by_email(account.email)
        if user is None:
            user = create_user(
                email=account.email,
                password=DEMO_PASSWORD,
                name=account.name,
                is_admin=account.is_admin,
            )
            user.preferred_language = account.language
            user.county = "Sacramento"
        if account.role is not None and account.role.value not in roles_of(user, summit):
            grant_role(summit, user, account.role, actor=None)
        users.append(user)
    return users


# Only what the public program pages state; staff complete the rest on the Regions page.
DEMO_REGIONS = {"Ventura": "Central Coast R-TAC", "Los Angeles": "Greater LA R-TAC"}


def seed_regions(summit: Summit) -> None:
    from summit.summits.queries import regions_by_county
    from summit.summits.services import set_regions

    if not regions_by_county(summit):
        set_regions(summit, DEMO_REGIONS, actor=None)


# (code, English, Spanish, seats)
DEMO_TICKET_TYPES = (
    ("educator", "Educator", "Educador(a)", 1200),
    ("administrator", "Administrator", "Administrador(a)", 400),
    ("student", "Student", "Estudiante", 300),
    ("family", "Family member", "Familiar", 500),
    ("partner", "Community partner", "Socio(a) comunitario(a)", 400),
    ("presenter", "Presenter", "Presentador(a)", 250),
    ("volunteer", "Staff and volunteers", "Equipo y voluntarios", 150),
)


def seed_ticket_types(summit: Summit) -> None:
    from sqlalchemy import select

    from summit.extensions import db
    from summit.registration.models import TicketType
    from summit.registration.services import ensure_summit_key, save_ticket_type

    existing = set(
        db.session.scalars(select(TicketType.code).where(TicketType.summit_id == summit.id))
    )
    for position, (code, name_en, name_es, seats) in enumerate(DEMO_TICKET_TYPES):
        if code not in existing:
            save_ticket_type(
                summit,
                actor=None,
                code=code,
                name_en=name_en,
                name_es=name_es,
                capacity=seats,
                position=position,
                requires_approval=code == "presenter",
            )
    ensure_summit_key(summit)


def seed() -> tuple[Summit, list[User]]:
    from summit.demo.agenda import seed_agendas
    from summit.demo.proposals import seed_proposals
    from summit.demo.registrations import seed_registrations
    from summit.demo.reviews import seed_reviews
    from summit.demo.schedule import seed_schedule

    summit = seed_summit()
    users = seed_accounts(summit)
    seed_regions(summit)
    seed_ticket_types(summit)
    seed_proposals(summit)
    seed_reviews(summit)
    seed_registrations(summit)
    seed_schedule(summit)
    seed_agendas(summit)
    return summit, users
