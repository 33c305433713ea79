from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from summit.accounts.services import create_api_token, create_user
from summit.checkin import services
from summit.checkin.models import Scan
from summit.extensions import db
from summit.registration import services as registration
from summit.summits.services import grant_role
from tests.conftest import PASSWORD
from tests.registration.conftest import NOW, make_registration_summit


def book(summit, ticket, *people, confirm=True, contact="contact@example.org"):
    """A household of ``people`` (dicts of person fields), confirmed unless told not to."""
    booking, secret = registration.register(
        summit,
        contact_name="Contact",
        contact_email=contact,
        people=[{"ticket_type": ticket, **p} for p in people],
        at=NOW,
    )
    if confirm:
        registration.confirm_booking(secret, at=NOW)
    db.session.flush()
    return booking


def crowd(*, people: int, doors: int):
    """Summit 2027 with ``people`` confirmed tickets (households of up to 100 in one
    registration) and ``doors`` door users with an API token each, in the caller's app
    context, not committed: (summit, ticket type, entrance, ticket tokens, door secrets)."""
    summit, ticket = make_registration_summit(capacity=people)
    [entrance, _next] = services.ensure_entrances(summit)
    attendees = []
    for start in range(0, people, 100):
        batch = [
            {"name": f"P{n}", "email": f"p{n}@example.org"}
            for n in range(start, min(start + 100, people))
        ]
        attendees += book(summit, ticket, *batch, contact=f"c{start}@example.org").attendees
    secrets = []
    for n in range(doors):
        user = create_user(email=f"door{n}@example.org", password=PASSWORD, name=f"Door {n}")
        grant_role(summit, user, "door", actor=None)
        secrets.append(create_api_token(user, "scanner").secret)
    tokens = [token_of(summit, a) for a in attendees]
    return summit, ticket, entrance, tokens, secrets


@pytest.fixture
def door(ctx):
    """Summit 2027 with 10 family seats, its entrances, and a token maker."""
    summit, ticket = make_registration_summit(capacity=10)
    entrances = services.ensure_entrances(summit)
    return summit, ticket, entrances


def token_of(summit, attendee) -> str:
    return registration.ticket_token(summit, attendee)


def scan(summit, token, checkpoint, scan_id, *, at=NOW + timedelta(days=145), **extra):
    return services.record_scan(
        summit, token=token, checkpoint=checkpoint, scan_id=scan_id, actor=None, at=at, **extra
    )


# --- staff pages: a summit day at the doors, as plain values ----------------------------
# Hand-counted: see the docstring of ``floor``. Every helper opens its own app context.

DAY_ONE, DAY_TWO = date(2027, 9, 23), date(2027, 9, 24)
TZ = ZoneInfo("America/Los_Angeles")


def local(day: date, hhmm: str) -> datetime:
    """A summit-local wall time as an aware UTC datetime."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=TZ).astimezone(UTC)


@dataclass
class Floor:
    people: dict[str, str]  # name -> ticket (attendee) code
    households: dict[str, str]  # contact name -> booking code
    entrances: dict[date, str]  # day -> entrance checkpoint code
    session: str  # the checkpoint code of "Family nights that work"
    staff: dict[str, str]  # staff name -> email


def _person(name: str, email: str | None, **extra) -> dict:
    return {"name": name, "email": email, **extra}


@pytest.fixture
def floor(app):
    """Summit 2027: ticket types family (every day), youth (day two only), educator.
    Regions: Fresno -> Region 7, Kern -> Region 8.

    Households (confirmed unless said): Rosa Pérez (family, family role, Fresno, ASL) with
    Luis Pérez (youth, student, Fresno, 13-17); Ben Brooks (educator, Kern); Team 100% Lee
    (family, no role, no county); Ana Ortiz (educator, Kern); Wanda Wait (family, not
    confirmed).

    Day one entrance (local times): Rosa 09:05 on "North door" by Dora; Ben 09:10 on
    "Phone A" offline, received 09:30, by Sam; Ben again 09:12 on "Phone B" offline,
    received 09:45, by Dora (already checked in: a conflict); Ana 09:20 on "North door",
    undone 09:25; Lee 09:40 on "North door". Day two entrance: Luis 08:50 on "North door".
    Session "Family nights that work" (day one 10:00, Hall A, 2 seats): Rosa, Ben and Lee
    on "Hall A door" at 10:02; "Data for families" (Room B, 30 seats) has no scanner.
    """
    from summit.accounts.models import User
    from summit.accounts.services import create_user
    from summit.proposals.models import Proposal
    from summit.registration.models import Attendee
    from summit.summits.queries import get_summit_by_slug
    from summit.summits.services import set_regions
    from tests.scheduling.conftest import ProgrammeBuilder

    with app.app_context():
        summit, family = make_registration_summit(capacity=60)
        youth, educator = (
            registration.save_ticket_type(summit, actor=None, **values)
            for values in (
                {"code": "youth", "name_en": "Youth", "name_es": "Juventud", "capacity": 10,
                 "days": [DAY_TWO.isoformat()]},
                {"code": "educator", "name_en": "Educator", "name_es": "Docente", "capacity": 10},
            )
        )  # fmt: skip
        set_regions(summit, {"Fresno": "Region 7", "Kern": "Region 8"}, actor=None)
        minor = {"age_band": "13_17", "guardian_name": "Rosa Pérez"}
        rosa = _person("Rosa Pérez", "rosa@example.org", role_type="family", county="Fresno")
        luis = _person("Luis Pérez", None, role_type="student", county="Fresno", **minor)
        households = {
            "Rosa Pérez": book(
                summit,
                family,
                rosa | {"accommodations": ["asl"], "media_consent": True},
                luis | {"ticket_type": youth, "guardian_email": "rosa@example.org"},
                contact="rosa@example.org",
            ),
            "Ben Brooks": book(
                summit,
                educator,
                _person("Ben Brooks", "ben@example.org", role_type="educator", county="Kern"),
                contact="ben@example.org",
            ),
            "Team 100% Lee": book(
                summit, family, _person("Team 100% Lee", "lee@example.org"), contact="lee@x.org"
            ),
            "Ana Ortiz": book(
                summit,
                educator,
                _person("Ana Ortiz", "ana@example.org", role_type="educator", county="Kern"),
                contact="ana@example.org",
            ),
            "Wanda Wait": book(
                summit,
                family,
                _person("Wanda Wait", "wanda@example.org", role_type="family", county="Fresno"),
                contact="wanda@example.org",
                confirm=False,
            ),
        }
        for name in ("Dora Door", "Sam Scanner"):
            email = f"{name.split()[0].lower()}@example.org"
            create_user(email=email, password="long enough pw", name=name)
        services.ensure_entrances(summit)
        db.session.commit()
        households = {name: booking.code for name, booking in households.items()}

    build = ProgrammeBuilder(app)
    hall = build.room("Hall A", capacity=2, position=0)
    room_b = build.room("Room B", capacity=30, position=1)
    slot = build.slot(DAY_ONE, "10:00", "11:00")
    nights = build.proposal("Family nights that work", track=None, format=None)
    data = build.proposal("Data for families", track=None, format=None)
    build.release({nights: (slot, hall), data: (slot, room_b)})

    with app.app_context():
        summit = get_summit_by_slug("2027")
        first, second = services.ensure_entrances(summit)
        dora, sam = (
            db.session.scalar(db.select(User).where(User.email == f"{who}@example.org"))
            for who in ("dora", "sam")
        )
        proposal = db.session.scalar(db.select(Proposal).where(Proposal.code == nights))
        hall_door = services.ensure_session_checkpoint(summit, proposal, capacity=None)

        def admit(name, checkpoint, scan_id, day, hhmm, *, actor=dora, scanned=None, **extra):
            attendee = db.session.scalar(db.select(Attendee).where(Attendee.name == name))
            return services.record_scan(
                summit,
                token=token_of(summit, attendee),
                checkpoint=checkpoint,
                scan_id=scan_id,
                actor=actor,
                scanned_at=local(day, scanned or hhmm),
                at=local(day, hhmm),
                **extra,
            )

        offline = {"was_offline": True}
        admit("Rosa Pérez", first, "n-1", DAY_ONE, "09:05", device="North door")
        admit("Ben Brooks", first, "a-1", DAY_ONE, "09:30", actor=sam, scanned="09:10",
              device="Phone A", **offline)  # fmt: skip
        admit("Ben Brooks", first, "b-1", DAY_ONE, "09:45", scanned="09:12",
              device="Phone B", **offline)  # fmt: skip
        ana = admit("Ana Ortiz", first, "n-2", DAY_ONE, "09:20", device="North door")
        ana = db.session.get(Scan, ana.scan.id)
        services.undo(summit, ana, actor=dora, at=local(DAY_ONE, "09:25"))
        admit("Team 100% Lee", first, "n-3", DAY_ONE, "09:40", device="North door")
        admit("Luis Pérez", second, "n-4", DAY_TWO, "08:50", device="North door")
        for i, name in enumerate(("Rosa Pérez", "Ben Brooks", "Team 100% Lee")):
            admit(name, hall_door, f"h-{i}", DAY_ONE, "10:02", actor=sam, device="Hall A door")
        people = dict(db.session.execute(db.select(Attendee.name, Attendee.code)).all())
        db.session.commit()
        return Floor(
            people=people,
            households=households,
            entrances={DAY_ONE: first.code, DAY_TWO: second.code},
            session=hall_door.code,
            staff={"Dora Door": "dora@example.org", "Sam Scanner": "sam@example.org"},
        )
