"""Benchmark: the public programme pages and calendar feeds, cold and warm, in-process and
over HTTP under gunicorn, with the SQL statements each page runs.

Creates a fresh PostgreSQL database (``summit_bench_pages``; schema as in
bench/registration.py) and loads two summits with bulk inserts (SQLAlchemy Core
``insert`` with lists of dicts, no service call per row):

* ``bench``: 300 accepted sessions (1–3 presenters each, some co-presenters
  under 18 with consent, some invitations still pending), the summit's seeded
  tracks and formats, 10 rooms with capacities and features, a two-day grid of
  15 slots per day plus a lunch break, one released ScheduleVersion with 300
  ReleasedSession rows (a few cancelled), 3,000 attendees in confirmed
  bookings, 300 agendas with 3–20 stars each, and one agenda with exactly 8
  stars (made with ``agenda_for_attendee`` and ``star_session``) and a feed
  secret from ``create_feed``;
* ``bench-small``: the same shape with 60 sessions, 600 attendees and 60
  agendas, to show that the SQL statements per page do not grow with the
  number of sessions.

The pages: the programme (``/bench/programme``, day grid of the first day, and
``?view=list``), the printable programme (all 300 sessions on one page, the
nearest to pretalx's no-JS schedule), a session page, the full ``programme.ics``,
the personal feed of 8 sessions, and the feed again with ``If-None-Match``
(304). For each page:

* in-process (Flask test client, no HTTP server), on PostgreSQL and on a
  temporary SQLite file: cold = the first request on a freshly created app (new
  engine and connection, templates not compiled yet), median of the rounds;
  warm = median and p95 of N repeated requests after a warm-up;
* over HTTP (``http.client``, one connection per request) against gunicorn
  serving this module's ``make_app()``: cold = the first page request of a
  freshly started single-worker gunicorn (after /healthz answered and the
  worker finished booting; one start per page and round), no If-None-Match:
  lazy imports, translations, template compilation and statement compilation
  all land on it; warm = 4 sync workers, median and p95 of N sequential
  requests after every worker has served the URL;
* SQL statements of one (warm) request, counted with an SQLAlchemy
  ``before_cursor_execute`` listener (SQLite's ``BEGIN IMMEDIATE`` not
  counted), on both summits.

Targets: 10x faster than pretalx 2025.2 with 300 talks in 10 rooms on this kind
of machine (no-JS schedule 785 ms, full .ics 810 ms, talk page 78 ms), so the
programme <= 78.5 ms, the .ics and the feed <= 81 ms, the session page <= 7.8 ms,
judged on the HTTP cold median. Prints a table and writes
bench/results/pages.json. Gunicorn is stopped and the database dropped at the
end, whatever happens.

    .venv/bin/python bench/pages.py --quick    # 2 cold rounds, 15 warm requests, no SQLite
    .venv/bin/python bench/pages.py            # 3 cold rounds, 30 warm requests, SQLite too

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), or --postgres URL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import secrets
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.registration import (  # noqa: E402  (after the path is set)
    DEFAULT_POSTGRES,
    _git,
    _version,
    build_schema,
    connect_admin,
    database_url,
    drop_database,
    free_port,
    percentile,
    server_env,
    server_errors,
    start_gunicorn,
    stop_gunicorn,
    tail,
    wait_healthy,
)

DEFAULT_DATABASE = "summit_bench_pages"
TIMEZONE = "America/Los_Angeles"
ROOMS, DAYS = 10, 2
OVERRIDES = {
    "RATELIMIT_ENABLED": False,  # the feed's per-address limit would answer 429
    "MAIL_BACKEND": "console",
    "MAIL_SEND_AFTER_REQUEST": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "PREFERRED_URL_SCHEME": "http",
}
# pretalx 2025.2, 300 talks in 10 rooms, same kind of machine (issue #8); target 10x.
PRETALX_MS = {"programme": 785.0, "ics": 810.0, "session": 78.0}
# name, label, pretalx figure (None: no equivalent), target in ms
PAGES = (
    ("programme", "programme (day grid)", "programme", 78.5),
    ("programme_list", "programme ?view=list", "programme", 78.5),
    ("print", "print (all sessions)", "programme", 78.5),
    ("session", "session page", "session", 7.8),
    ("ics", "programme.ics", "ics", 81.0),
    ("feed", "feed (8 sessions)", None, 81.0),
    ("feed_304", "feed If-None-Match", None, 81.0),
)
WORDS = (
    "community", "schools", "family", "engagement", "student", "voice", "attendance",
    "restorative", "practices", "after-school", "learning", "partnerships", "mental", "health",
    "literacy", "bilingual", "newcomers", "data", "leadership", "coaching", "enrichment",
    "wellness", "nutrition", "mentoring", "college", "career", "pathways", "equity", "belonging",
    "culture", "trust", "collaboration", "evidence", "outcomes", "district", "county",
    "educación", "familias", "comunidad", "aprendizaje", "participación", "liderazgo", "éxito",
)  # fmt: skip
FIRST = ("Ana", "Luis", "Keisha", "Tran", "María", "David", "Imani", "José", "Priya", "Sam")
LAST = ("García", "Johnson", "Nguyen", "Martínez", "Smith", "Hernández", "Lee", "Patel")
ROLES = ("educator", "family", "community_partner", "administrator", "other", "student")
GRADES = ("early", "elementary", "middle", "high", "adult", "all")
FEATURES = ("step_free", "hearing_loop", "captioning", "quiet_room", "projector", "microphone")


def make_app(database_uri: str | None = None):
    """The WSGI app gunicorn serves: production settings, rate limit off; ``database_uri``
    points an in-process app at another database (the SQLite run)."""
    from summit import create_app

    extra = {"SQLALCHEMY_DATABASE_URI": database_uri} if database_uri else {}
    return create_app("production", **OVERRIDES, **extra)


# --- the data set ------------------------------------------------------------------


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def build_summit(
    slug: str, tag: str, *, sessions: int, attendees: int, agendas: int, seed: int
) -> dict:
    """One summit with a released programme, registrations and agendas; returns the
    URLs to time. Runs inside an app context; commits."""
    from sqlalchemy import insert, select

    from summit.accounts.models import User
    from summit.agenda import services as agenda_services
    from summit.agenda.models import Agenda, Star
    from summit.extensions import db
    from summit.proposals.models import (
        Presenter,
        Proposal,
        SessionFormat,
        proposal_secondary_tracks,
    )
    from summit.proposals.services import ensure_call
    from summit.registration.models import Attendee, Booking, TicketType
    from summit.scheduling.models import ReleasedSession, Room, ScheduleVersion, TimeSlot
    from summit.summits.services import create_summit

    rng = random.Random(seed)
    now = datetime.now(UTC)
    first_day = date.today() + timedelta(days=30)
    summit = create_summit(
        slug=slug,
        name=f"Pages benchmark ({sessions} sessions)",
        starts_on=first_day,
        ends_on=first_day + timedelta(days=DAYS - 1),
        actor=None,
        venue="Bench Convention Center",
        timezone=TIMEZONE,
        registration_opens_at=now - timedelta(days=10),
        registration_closes_at=now + timedelta(days=20),
    )
    ensure_call(summit)  # the default formats
    db.session.flush()
    track_ids = [t.id for t in summit.tracks]
    format_ids = list(
        db.session.scalars(select(SessionFormat.id).where(SessionFormat.summit_id == summit.id))
    )

    # Rooms and the grid: slots x rooms x days cells, one lunch break a day.
    db.session.execute(
        insert(Room),
        [
            {
                "summit_id": summit.id,
                "code": f"room{i:02d}",
                "name": f"Room {100 + i}",
                "building": "North hall" if i < ROOMS // 2 else "South hall",
                "floor": str(1 + i % 3),
                "capacity": rng.choice((30, 40, 60, 80, 120, 250)),
                "features": rng.sample(FEATURES, rng.randint(1, 4)),
                "position": i,
            }
            for i in range(ROOMS)
        ],
    )
    rooms = list(
        db.session.execute(
            select(Room.id, Room.name).where(Room.summit_id == summit.id).order_by(Room.position)
        )
    )
    per_day = math.ceil(sessions / (ROOMS * DAYS))
    tz = ZoneInfo(TIMEZONE)
    slots, cells = [], []
    for d in range(DAYS):
        day = first_day + timedelta(days=d)
        start = datetime.combine(day, clock(8, 30), tzinfo=tz)
        for i in range(per_day):
            if i == 7:  # lunch
                slots.append(
                    {"summit_id": summit.id, "code": f"d{d}lunch", "day": day,
                     "starts_at": start.astimezone(UTC),
                     "ends_at": (start + timedelta(minutes=60)).astimezone(UTC),
                     "kind": "break", "label_en": "Lunch", "label_es": "Almuerzo"}
                )  # fmt: skip
                start += timedelta(minutes=60)
            ends = start + timedelta(minutes=35)
            slots.append(
                {"summit_id": summit.id, "code": f"d{d}s{i:02d}", "day": day,
                 "starts_at": start.astimezone(UTC), "ends_at": ends.astimezone(UTC),
                 "kind": "session"}
            )  # fmt: skip
            cells += [(day, start.astimezone(UTC), ends.astimezone(UTC), room) for room in rooms]
            start += timedelta(minutes=40)
    db.session.execute(insert(TimeSlot), slots)

    # Owners, proposals, presenters, secondary tracks.
    db.session.execute(
        insert(User),
        [
            {"email": f"{tag}-owner{i}@example.org", "password_hash": "!", "name": _person(rng),
             "presenter_role": rng.choice(ROLES[:5]), "preferred_language": "en"}
            for i in range(sessions)
        ],
    )  # fmt: skip
    owners = list(
        db.session.scalars(
            select(User.id).where(User.email.like(f"{tag}-owner%")).order_by(User.id)
        )
    )
    proposals = []
    for i, owner in enumerate(owners):
        proposals.append(
            {
                "summit_id": summit.id,
                "code": f"PRO{tag.upper()}{i:04d}",
                "owner_id": owner,
                "state": "accepted",
                "title": _text(rng, rng.randint(4, 10))[:-1],
                "abstract": _text(rng, rng.randint(80, 160)),
                "outcomes": _text(rng, rng.randint(20, 40)),
                "format_id": rng.choice(format_ids),
                "track_id": rng.choice(track_ids),
                "audience_roles": rng.sample(ROLES[:5], rng.randint(1, 3)),
                "grade_bands": rng.sample(GRADES, rng.randint(1, 3)),
                "language": rng.choices(("en", "es", "bilingual"), weights=(6, 2, 2))[0],
                "av_needs": ["projector"] + (["interpretation"] if rng.random() < 0.2 else []),
                "submitted_at": now - timedelta(days=90),
                "created_at": now - timedelta(days=95),
                "updated_at": now - timedelta(days=60),
            }
        )
    db.session.execute(insert(Proposal), proposals)
    proposal_rows = list(
        db.session.execute(
            select(Proposal.id, Proposal.code, Proposal.owner_id, Proposal.track_id)
            .where(Proposal.summit_id == summit.id)
            .order_by(Proposal.id)
        )
    )
    presenters, secondary = [], []
    for n, (pid, _code, owner, track) in enumerate(proposal_rows):
        presenters.append(
            {"public_id": f"{tag}{n:04d}l", "proposal_id": pid, "user_id": owner, "is_lead": True,
             "name": _person(rng), "email": f"{tag}-owner{n}@example.org",
             "role_type": rng.choice(ROLES[:5]), "age_band": "adult"}
        )  # fmt: skip
        for k in range(rng.choices((0, 1, 2), weights=(4, 4, 2))[0]):
            minor = rng.random() < 0.1
            presenters.append(
                {
                    "public_id": f"{tag}{n:04d}{k}",
                    "proposal_id": pid,
                    "name": _person(rng),
                    "email": None if minor else f"{tag}-co{n}-{k}@example.org",
                    "role_type": "student" if minor else rng.choice(ROLES[:5]),
                    "age_band": "13_17" if minor else "adult",
                    "guardian_name": _person(rng) if minor else None,
                    "guardian_email": f"{tag}-guardian{n}-{k}@example.org" if minor else None,
                    "invite_status": rng.choices(("accepted", "pending"), weights=(9, 1))[0],
                    "consent_status": "granted" if minor else "not_needed",
                }
            )
        others = [t for t in track_ids if t != track]
        secondary += [
            {"proposal_id": pid, "track_id": t}
            for t in rng.sample(others, rng.choice((0, 0, 1, 2)))
        ]
    db.session.execute(insert(Presenter), presenters)
    if secondary:
        db.session.execute(insert(proposal_secondary_tracks), secondary)

    # One released version: every session in a cell, a few cancelled since.
    placed = [row.id for row in proposal_rows]
    rng.shuffle(placed)
    codes = {row.id: row.code for row in proposal_rows}
    cancelled = set(placed[:: max(1, sessions // 3)][1:])  # two, a third and two thirds in
    released_at = now - timedelta(days=7)
    changelog = []
    released = []
    for pid, (day, starts, ends, room) in zip(placed, cells, strict=False):
        released.append(
            {"proposal_id": pid, "starts_at": starts, "ends_at": ends, "day": day,
             "slot_kind": "session", "room_id": room.id, "room_name": room.name,
             "is_cancelled": pid in cancelled, "sequence": int(pid in cancelled),
             "changed_at": released_at}
        )  # fmt: skip
        snapshot = {"starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "room": room.name}
        changelog.append(
            {"code": codes[pid], "title": codes[pid], "kind": "new", "before": None,
             "after": snapshot}
        )  # fmt: skip
    version = ScheduleVersion(
        summit_id=summit.id, number=1, released_at=released_at, changelog=changelog
    )
    db.session.add(version)
    db.session.flush()
    db.session.execute(insert(ReleasedSession), [{**r, "version_id": version.id} for r in released])

    # Registrations: confirmed households of 1-3 people.
    ticket = TicketType(
        summit_id=summit.id, code="general", name_en="General", name_es="General",
        capacity=attendees, taken=attendees,
    )  # fmt: skip
    db.session.add(ticket)
    db.session.flush()
    sizes = []
    while sum(sizes) < attendees:
        sizes.append(min(rng.choices((1, 2, 3), weights=(6, 3, 1))[0], attendees - sum(sizes)))
    db.session.execute(
        insert(Booking),
        [
            {"summit_id": summit.id, "code": f"{tag}K{b:06d}", "contact_name": _person(rng),
             "contact_email": f"{tag}-contact{b}@example.org", "state": "confirmed",
             "confirmed_at": now - timedelta(days=5)}
            for b in range(len(sizes))
        ],
    )  # fmt: skip
    booking_ids = list(
        db.session.scalars(
            select(Booking.id).where(Booking.summit_id == summit.id).order_by(Booking.id)
        )
    )
    people = []
    for booking, size in zip(booking_ids, sizes, strict=True):
        for _ in range(size):
            n = len(people)
            people.append(
                {"summit_id": summit.id, "booking_id": booking, "ticket_type_id": ticket.id,
                 "code": f"{tag}A{n:06d}", "name": _person(rng),
                 "email": f"{tag}-person{n}@example.org", "role_type": rng.choice(ROLES[:5]),
                 "preferred_language": "es" if rng.random() < 0.3 else "en",
                 "age_band": "adult", "media_consent": True}
            )  # fmt: skip
    db.session.execute(insert(Attendee), people)
    attendee_ids = list(
        db.session.scalars(
            select(Attendee.id).where(Attendee.summit_id == summit.id).order_by(Attendee.id)
        )
    )

    # The feed's agenda through the services, then the others in bulk.
    open_ids = [pid for pid in placed if pid not in cancelled]
    feed_agenda = agenda_services.agenda_for_attendee(
        db.session.get(Attendee, attendee_ids[0]), locale="en", at=now - timedelta(days=3)
    )
    for pid in rng.sample(open_ids, 8):
        agenda_services.star_session(feed_agenda, summit, codes[pid], at=now - timedelta(days=3))
    feed_secret = agenda_services.create_feed(feed_agenda, at=now - timedelta(days=3))
    chosen = rng.sample(attendee_ids[1:], agendas - 1)
    db.session.execute(
        insert(Agenda),
        [
            {"public_id": secrets.token_urlsafe(12), "summit_id": summit.id, "attendee_id": a,
             "locale": "en", "created_at": now - timedelta(days=4),
             "changed_at": now - timedelta(days=2)}
            for a in chosen
        ],
    )  # fmt: skip
    agenda_ids = list(
        db.session.scalars(
            select(Agenda.id).where(Agenda.summit_id == summit.id, Agenda.id != feed_agenda.id)
        )
    )
    stars = [
        {"agenda_id": a, "proposal_id": pid, "summit_id": summit.id}
        for a in agenda_ids
        for pid in rng.sample(open_ids, rng.randint(3, 20))
    ]
    db.session.execute(insert(Star), stars)
    db.session.commit()

    # A session page of a typical session: the first of day one in the first room.
    session_code = codes[placed[0]]
    base = f"/{slug}"
    feed = f"{base}/agenda/feed/{feed_secret}.ics"
    return {
        "slug": slug,
        "sessions": len(released),
        "cancelled": len(cancelled),
        "presenters": len(presenters),
        "attendees": len(people),
        "bookings": len(sizes),
        "agendas": len(agenda_ids) + 1,
        "stars": len(stars) + 8,
        "per_day": per_day * ROOMS,
        "paths": {
            "programme": f"{base}/programme",
            "programme_list": f"{base}/programme?view=list",
            "print": f"{base}/programme/print",
            "session": f"{base}/programme/sessions/{session_code}",
            "ics": f"{base}/programme.ics",
            "feed": feed,
            "feed_304": feed,
        },
    }


def build_data(schema: str, args, database_uri: str | None = None) -> tuple[str, list[dict]]:
    """Schema and both summits in the database the app points at."""
    from summit.extensions import db

    app = make_app(database_uri)
    with app.app_context():
        built = build_schema(schema)
        summits = [
            build_summit("bench", "b", sessions=args.sessions, attendees=args.attendees,
                         agendas=args.agendas, seed=args.seed),
            build_summit("bench-small", "s", sessions=args.small,
                         attendees=max(10, args.attendees * args.small // args.sessions),
                         agendas=max(2, args.agendas * args.small // args.sessions),
                         seed=args.seed + 1),
        ]  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    return built, summits


# --- checks on what a page answered ---------------------------------------------------


def check_page(name: str, status: int, body: bytes, data: dict) -> str | None:
    """None when the page looks right; otherwise what is wrong."""
    if name == "feed_304":
        return None if status == 304 else f"expected 304, got {status}"
    if status != 200:
        return f"{status} {body[:200]!r}"
    text = body.decode("utf-8", errors="replace")
    expected = {
        "programme": ('class="grid-session', data["per_day"]),
        "programme_list": ('class="programme-session', data["per_day"]),
        "print": (None, None),
        "session": ("<h1", 1),
        "ics": ("BEGIN:VEVENT", data["sessions"]),
        "feed": ("BEGIN:VEVENT", 8),
    }[name]
    marker, count = expected
    if marker and text.count(marker) < count:
        return f"{text.count(marker)} x {marker!r}, expected {count}"
    return None


# --- in-process --------------------------------------------------------------------


def _dispose(app) -> None:
    from summit.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def in_process(database_uri: str | None, data: dict, *, rounds: int, repeats: int) -> dict:
    """Milliseconds per page through the Flask test client: cold and warm."""
    paths = data["paths"]
    errors: list[str] = []

    def get(client, name: str, headers: dict) -> float:
        began = time.perf_counter()
        response = client.get(paths[name], headers=headers)
        elapsed = time.perf_counter() - began
        problem = check_page(name, response.status_code, response.get_data(), data)
        if problem:
            errors.append(f"{name}: {problem}")
        return elapsed

    etag_app = make_app(database_uri)
    etag = etag_app.test_client().get(paths["feed"]).headers.get("ETag", "")
    _dispose(etag_app)
    headers = {name: {} for name in paths} | {"feed_304": {"If-None-Match": etag}}
    cold: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name in paths:  # each page the first request of a fresh app
            app = make_app(database_uri)
            cold[name].append(get(app.test_client(), name, headers[name]))
            _dispose(app)
    app = make_app(database_uri)
    client = app.test_client()
    warm: dict[str, list[float]] = {}
    for name in paths:
        for _ in range(3):
            get(client, name, headers[name])
        warm[name] = [get(client, name, headers[name]) for _ in range(repeats)]
    _dispose(app)
    return {
        "cold_ms": {n: 1000 * percentile(v, 50) for n, v in cold.items()},
        "cold_samples_ms": {n: [round(1000 * x, 2) for x in v] for n, v in cold.items()},
        "warm_p50_ms": {n: 1000 * percentile(v, 50) for n, v in warm.items()},
        "warm_p95_ms": {n: 1000 * percentile(v, 95) for n, v in warm.items()},
        "errors": errors[:20],
    }


def count_queries(database_uri: str | None, summits: list[dict]) -> dict:
    """SQL statements of one warm request per page, per summit."""
    from sqlalchemy import event

    from summit.extensions import db

    app = make_app(database_uri)
    client = app.test_client()
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(" ".join(statement.split())[:120])

    with app.app_context():
        engine = db.engine
    out: dict = {"counts": {}, "statements": {}}
    event.listen(engine, "before_cursor_execute", listen)
    try:
        for data in summits:
            paths = data["paths"]
            etag = client.get(paths["feed"]).headers.get("ETag", "")
            counts, seen = {}, {}
            for name, path in paths.items():
                headers = {"If-None-Match": etag} if name == "feed_304" else {}
                client.get(path, headers=headers)  # warm
                statements.clear()
                response = client.get(path, headers=headers)
                assert response.status_code in (200, 304), (path, response.status_code)
                counts[name] = len(statements)
                seen[name] = list(statements)
            out["counts"][data["slug"]] = counts
            out["statements"][data["slug"]] = seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)
        _dispose(app)
    return out


def profile(database_uri: str | None, data: dict, names: list[str], limit: int = 25) -> None:
    """cProfile of one cold and 20 warm requests per page, printed by cumulative time."""
    import cProfile
    import pstats

    for name in names:
        path = data["paths"][name]
        for label, warmups, repeats in (("cold", 0, 1), ("warm x20", 2, 20)):
            app = make_app(database_uri)
            client = app.test_client()
            for _ in range(warmups):
                client.get(path)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(repeats):
                client.get(path)
            profiler.disable()
            _dispose(app)
            print(f"\n== profile {name} ({label}) {path}")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(limit)


# --- over HTTP ---------------------------------------------------------------------


def fetch(port: int, path: str, headers: dict, timeout: float) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (gunicorn's workers), from /proc."""
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for p in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def settle(proc, seconds: float = 8.0) -> None:
    """Wait until the workers have finished booting (their CPU time stops rising)."""
    deadline = time.monotonic() + seconds
    last = _cpu_seconds(proc.pid)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        used = _cpu_seconds(proc.pid)
        if used - last < 0.01:
            return
        last = used


def over_http(data: dict, *, port, workers, env, log_path, rounds, repeats, timeout) -> dict:
    """Cold: per round and page, a fresh single-worker gunicorn whose first page request
    is that page (after /healthz answered), no If-None-Match. Warm: ``workers`` workers,
    every worker has served the page, then ``repeats`` sequential requests."""
    paths = data["paths"]
    names = list(paths)
    cold: dict[str, list[float]] = {name: [] for name in names}
    warm: dict[str, list[float]] = {}
    errors: list[str] = []
    sizes: dict[str, int] = {}
    headers_seen: dict[str, dict] = {}

    def get(name: str, headers: dict) -> tuple[float, dict]:
        began = time.perf_counter()
        status, response_headers, body = fetch(port, paths[name], headers, timeout)
        elapsed = time.perf_counter() - began
        problem = check_page(name, status, body, data)
        if problem:
            errors.append(f"{name}: {problem}")
        if status == 200:
            sizes[name] = len(body)
        return elapsed, response_headers

    def serve(count: int):
        proc = start_gunicorn(port, count, env, log_path, app="bench.pages:make_app()", append=True)
        try:
            wait_healthy(f"http://127.0.0.1:{port}", proc, log_path)
            settle(proc)
        except BaseException:
            stop_gunicorn(proc)
            raise
        return proc

    for _ in range(rounds):
        for name in names:
            if name == "feed_304":
                continue  # a conditional request needs an ETag from before: warm only
            proc = serve(1)
            try:
                cold[name].append(get(name, {})[0])
            finally:
                stop_gunicorn(proc)
    proc = serve(workers)
    try:
        _elapsed, headers = get("feed", {})
        conditional = {"If-None-Match": headers.get("ETag", "")}
        for name in names:
            h = conditional if name == "feed_304" else {}
            for _ in range(workers * 3):  # every worker serves it
                get(name, h)
            samples = []
            for _ in range(repeats):
                elapsed, headers = get(name, h)
                samples.append(elapsed)
            headers_seen[name] = {
                k: v for k, v in headers.items() if k in ("ETag", "Cache-Control", "Content-Length")
            }
            warm[name] = samples
    finally:
        stop_gunicorn(proc)
    return {
        "cold_ms": {n: 1000 * percentile(v, 50) if v else None for n, v in cold.items()},
        "cold_max_ms": {n: 1000 * max(v) if v else None for n, v in cold.items()},
        "cold_samples_ms": {n: [round(1000 * x, 2) for x in v] for n, v in cold.items()},
        "warm_p50_ms": {n: 1000 * percentile(v, 50) for n, v in warm.items()},
        "warm_p95_ms": {n: 1000 * percentile(v, 95) for n, v in warm.items()},
        "bytes": sizes,
        "headers": headers_seen,
        "errors": errors[:20],
    }


# --- report ------------------------------------------------------------------------


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_report(results: dict) -> dict[str, bool]:
    http_ = results["http"]
    pg = results["in_process"]["postgresql"]
    lite = results["in_process"].get("sqlite")
    counts = results["sql"]["postgresql"]["counts"]
    big, small = (s["slug"] for s in results["summits"])
    met = {}
    print(
        f"\n{'page':<21} {'pretalx':>7} {'target':>6} | {'HTTP cold':>9} {'(max)':>6} "
        f"{'warm p50':>8} {'p95':>6} | {'PG cold':>7} {'warm':>6} | {'SQLite cold':>11} "
        f"{'warm':>6} | {'SQL':>7} | verdict"
    )
    for name, label, ref, target in PAGES:
        cold = http_["cold_ms"][name]
        judged = cold if cold is not None else http_["warm_p50_ms"][name]
        ok = judged is not None and judged <= target
        met[name] = ok
        sql = f"{counts[big][name]}/{counts[small][name]}"
        lite_cols = (
            f"{_ms(lite['cold_ms'][name]):>11} {_ms(lite['warm_p50_ms'][name]):>6}"
            if lite
            else f"{'-':>11} {'-':>6}"
        )
        print(
            f"{label:<21} {_ms(PRETALX_MS.get(ref)):>7} {target:>6.1f} | "
            f"{_ms(cold):>9} {_ms(http_['cold_max_ms'][name]):>6} "
            f"{_ms(http_['warm_p50_ms'][name]):>8} {_ms(http_['warm_p95_ms'][name]):>6} | "
            f"{_ms(pg['cold_ms'][name]):>7} {_ms(pg['warm_p50_ms'][name]):>6} | {lite_cols} | "
            f"{sql:>7} | {'met' if ok else 'MISSED'}"
        )
    print(
        "ms; HTTP and in-process cold = median of the first requests (feed If-None-Match: "
        f"warm only); SQL = statements per request with {results['summits'][0]['sessions']}"
        f"/{results['summits'][1]['sessions']} sessions; verdict on the HTTP cold median"
    )
    grows = {
        name: counts[big][name] != counts[small][name] for name in counts[big]
    }  # the same statements whatever the number of sessions
    met["sql_constant"] = not any(grows.values())
    print(f"SQL statements independent of the number of sessions: {met['sql_constant']}")
    if "sqlite" in results["sql"]:
        lite_counts = results["sql"]["sqlite"]["counts"]
        same = all(lite_counts[slug] == counts[slug] for slug in counts)
        print(f"SQLite runs the same number of statements per page: {same}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--small", type=int, default=60, help="sessions of the second summit")
    parser.add_argument("--attendees", type=int, default=3000)
    parser.add_argument("--agendas", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="2 cold rounds, 15 warm, no SQLite")
    parser.add_argument("--rounds", type=int, default=3, help="cold rounds (gunicorn starts)")
    parser.add_argument("--repeats", type=int, default=30, help="warm requests per page")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--workers", "-w", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="admin connection URL")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--schema", choices=("auto", "migrate", "create-all"), default="auto",
        help="as in bench/registration.py",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--profile", nargs="*", metavar="PAGE", choices=[p[0] for p in PAGES], default=None,
        help="print cProfile of these pages in-process (PostgreSQL), then stop",
    )  # fmt: skip
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.repeats, args.no_sqlite = 2, 15, True
    if args.sessions < 10 or args.small < 10 or args.rounds < 1 or args.repeats < 1:
        parser.error("need at least 10 sessions in each summit, 1 round and 1 repeat")
    if args.agendas < 2 or args.attendees < args.agendas:
        parser.error("need at least 2 agendas and as many attendees as agendas")

    with connect_admin(args.postgres) as admin:  # fails here, clearly, when PostgreSQL is down
        pg_version = admin.execute("SHOW server_version").fetchone()[0]
    db_url = database_url(args.postgres, args.database)
    env = server_env(db_url)
    os.environ.update(env)  # before the first import of config: it reads them at import

    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="summit-bench-"))
    log_path = work / "gunicorn.log"
    sqlite_uri = f"sqlite:///{work / 'pages.db'}"
    results: dict = {"in_process": {}, "sql": {}}
    drop_database(args.postgres, args.database)
    with connect_admin(args.postgres) as conn:
        conn.execute(f'CREATE DATABASE "{args.database}"')
    try:
        began = time.perf_counter()
        built, summits = build_data(args.schema, args)
        results["schema"], results["summits"] = built, summits
        big = summits[0]
        print(
            f"loaded {big['sessions']} sessions ({big['cancelled']} cancelled, "
            f"{big['presenters']} presenters) in {ROOMS} rooms over {DAYS} days, "
            f"{big['attendees']} attendees in {big['bookings']} bookings, {big['agendas']} "
            f"agendas with {big['stars']} stars; and {summits[1]['sessions']} sessions in "
            f"'{summits[1]['slug']}'; PostgreSQL in {time.perf_counter() - began:.1f} s"
        )
        if args.profile is not None:
            profile(None, big, args.profile or [p[0] for p in PAGES if p[0] != "feed_304"])
            shutil.rmtree(work, ignore_errors=True)
            return 0
        results["sql"]["postgresql"] = count_queries(None, summits)
        results["in_process"]["postgresql"] = in_process(
            None, big, rounds=args.rounds, repeats=args.repeats
        )
        if not args.no_sqlite:
            began = time.perf_counter()
            _built, lite_summits = build_data("create-all", args, sqlite_uri)
            print(f"loaded the same on SQLite in {time.perf_counter() - began:.1f} s")
            results["sql"]["sqlite"] = count_queries(sqlite_uri, lite_summits)
            results["in_process"]["sqlite"] = in_process(
                sqlite_uri, lite_summits[0], rounds=args.rounds, repeats=args.repeats
            )
        print(
            f"HTTP: gunicorn {args.workers} sync worker(s) on 127.0.0.1:{port}, "
            f"{args.rounds} cold round(s), {args.repeats} warm requests per page, "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
        )
        results["http"] = over_http(
            big, port=port, workers=args.workers, env={**os.environ, **env}, log_path=log_path,
            rounds=args.rounds, repeats=args.repeats, timeout=args.timeout,
        )  # fmt: skip
        results["server_errors"] = server_errors(log_path)
    except BaseException:
        if log_path.exists():
            print(f"gunicorn log ({log_path}):\n{tail(log_path)}", file=sys.stderr)
        raise
    finally:
        drop_database(args.postgres, args.database)

    met = print_report(results)
    errors = results["http"]["errors"] + [
        e for run in results["in_process"].values() for e in run["errors"]
    ]
    for error in errors[:10]:
        print(f"  error: {error}")
    for line, count in results["server_errors"].items():
        print(f"  server error x{count}: {line}")
    valid = not errors and not results["server_errors"]
    if valid:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"gunicorn log: {log_path}")
    missed = [name for name, ok in met.items() if not ok]
    print(f"errors: {len(errors)}; targets missed: {', '.join(missed) or 'none'}; "
          f"verdict: {'PASS' if valid and not missed else 'FAIL'}")  # fmt: skip

    out = Path(__file__).resolve().parent / "results" / "pages.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "public programme pages and calendar feeds, cold and warm",
                "data": [{k: v for k, v in s.items() if k != "paths"} for s in summits],
                "paths": {k: v for k, v in big["paths"].items() if "feed" not in k},
                "gunicorn": {"workers": args.workers, "worker_class": "sync"},
                "rounds": args.rounds,
                "repeats": args.repeats,
                "schema": results["schema"],
                "pretalx_ms": PRETALX_MS,
                "targets_ms": {name: target for name, _l, _r, target in PAGES},
                "met": met,
                "http": results["http"],
                "in_process": results["in_process"],
                "sql": results["sql"],
                "server_errors": results["server_errors"],
                "errors": len(errors),
                "valid": valid,
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_1min": os.getloadavg()[0],
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "postgresql": pg_version,
                    "gunicorn": _version("gunicorn"),
                },
                "git": _git(),
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
            default=str,
        )
    )
    print(f"wrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out.name}")
    return 0 if valid and not missed else 1


if __name__ == "__main__":
    sys.exit(main())
