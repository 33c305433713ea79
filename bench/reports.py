"""Benchmark: the report dashboards with 3,000 registrations and 30,000 check-ins.

For each engine (SQLite in a temporary file, PostgreSQL in a fresh database named
``summit_bench_reports``; schema as in bench/registration.py) and each size, it
bulk-inserts one summit: R registrations (people, in households of one to three, every
county, a fifth with accommodations), 10 × R scans (entrance check-ins on both days,
session check-ins, some undone, some repeats), R / 5 proposals over every topic,
format, role and language with three reviewers each, a released two-day programme of
100 sessions with scanners, and stars from most people. Then, in-process (Flask test
client, no HTTP server):

- cold: a new app object after the boot warm-up every gunicorn worker runs
  (``summit/core/warmup.py``: templates compiled, the public pages run once — no
  report page), a staff log-in, then the first request of a dashboard (its SQL
  statements never compiled yet, nothing of its data cached);
- warm: the median of the next requests of the same dashboard in that app;
- SQL statements of one request (a ``before_cursor_execute`` listener), at both sizes,
  to show that they do not grow with the rows.

Prints a table and writes bench/results/reports.json. Target: every dashboard under
200 ms cold, on both engines, with 3,000 registrations and 30,000 check-ins.

    .venv/bin/python bench/reports.py            # sizes 300 and 3000 registrations
    .venv/bin/python bench/reports.py --quick    # sizes 100 and 1000, 3 warm runs
    .venv/bin/python bench/reports.py --no-postgres

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), or --postgres URL.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import secrets
import statistics
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
)

SLUG = "bench"
DEFAULT_DATABASE = "summit_bench_reports"
TARGET_COLD_MS = 200
PASSWORD = "bench password 2027"  # noqa: S105  (a throwaway benchmark account)
DASHBOARDS = {
    "index": f"/{SLUG}/staff/reports",
    "programme": f"/{SLUG}/staff/reports/programme",
    "participation": f"/{SLUG}/staff/reports/participation",
    "participation, day and region": (
        f"/{SLUG}/staff/reports/participation?day=2027-09-23&region=Region+1"
    ),
}
FAST = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}
DAY_ONE, DAY_TWO = date(2027, 9, 23), date(2027, 9, 24)
TZ = ZoneInfo("America/Los_Angeles")


def make_app(url: str):
    from summit import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, **FAST)


def _code(rng: random.Random, n: int = 10) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(n))


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, clock(8), tzinfo=TZ).astimezone(UTC) + timedelta(minutes=minutes)


def seed(url: str, registrations: int, seed_value: int = 7) -> dict:
    """One summit with ``registrations`` people and about ten scans per person."""
    from sqlalchemy import insert

    from summit.accounts.enums import CALIFORNIA_COUNTIES, PresenterRole
    from summit.accounts.services import create_user
    from summit.agenda.models import Agenda, Star
    from summit.checkin.models import Checkpoint, Scan
    from summit.extensions import db
    from summit.proposals.models import Presenter, Proposal
    from summit.proposals.queries import list_formats
    from summit.proposals.services import ensure_call
    from summit.registration.models import Attendee, Booking, TicketType
    from summit.reviews.models import Assignment, Review
    from summit.scheduling.models import ReleasedSession, Room, ScheduleVersion
    from summit.summits.queries import list_tracks
    from summit.summits.services import create_summit, grant_role, set_regions

    rng = random.Random(seed_value)
    app = make_app(url)
    with app.app_context():
        schema = build_schema("auto")
        summit = create_summit(
            slug=SLUG,
            name="Reports benchmark",
            starts_on=DAY_ONE,
            ends_on=DAY_TWO,
            actor=None,
            make_current=True,
        )
        ensure_call(summit)
        set_regions(
            summit,
            {c: f"Region {i % 8 + 1}" for i, c in enumerate(CALIFORNIA_COUNTIES)},
            actor=None,
        )
        staff = create_user(email="staff@bench.example", password=PASSWORD, name="Staff")
        grant_role(summit, staff, "staff", actor=None)
        tracks = list_tracks(summit)
        formats = list_formats(summit)
        roles = [r.value for r in PresenterRole]
        types = []
        for i, code in enumerate(("educator", "family", "student", "partner", "staff")):
            days = [DAY_TWO.isoformat()] if code == "student" else []
            ticket = TicketType(
                summit_id=summit.id,
                code=code,
                name_en=code.title(),
                name_es=code.title(),
                capacity=registrations * 2,
                taken=0,
                position=i,
                days=days,
            )
            db.session.add(ticket)
            types.append(ticket)
        db.session.flush()

        # People: households of one to three, every county, a fifth with needs.
        now = datetime(2027, 6, 1, tzinfo=UTC)
        bookings, people = [], []
        n = 0
        while n < registrations:
            size = min(rng.choice((1, 1, 1, 2, 3)), registrations - n)
            state = "confirmed" if rng.random() < 0.9 else "waitlisted"
            bookings.append(
                {
                    "summit_id": summit.id,
                    "code": _code(rng),
                    "locale": "en",
                    "contact_name": f"Contact {n}",
                    "contact_email": f"c{n}@bench.example",
                    "state": state,
                    "created_at": now,
                    "is_comp": False,
                    "confirmed_at": now if state == "confirmed" else None,
                }
            )
            people.append(size)
            n += size
        db.session.execute(insert(Booking), bookings)
        booking_ids = list(db.session.scalars(db.select(Booking.id).order_by(Booking.id)))
        rows, n = [], 0
        for booking_id, size in zip(booking_ids, people, strict=True):
            for _ in range(size):
                minor = rng.random() < 0.1
                rows.append(
                    {
                        "summit_id": summit.id,
                        "booking_id": booking_id,
                        "ticket_type_id": rng.choice(types).id,
                        "code": _code(rng),
                        "name": f"Person {n}",
                        "email": f"p{n}@bench.example",
                        "organisation": "",
                        "role_type": rng.choice(roles),
                        "county": rng.choice(CALIFORNIA_COUNTIES),
                        "preferred_language": rng.choice(("en", "es")),
                        "age_band": "13_17" if minor else "adult",
                        "guardian_name": "Guardian" if minor else None,
                        "guardian_email": "g@bench.example" if minor else None,
                        "accommodations": rng.sample(
                            ["wheelchair", "asl", "captions", "quiet_space"], 1
                        )
                        if rng.random() < 0.2
                        else [],
                        "wants_interpretation": rng.random() < 0.15,
                        "dietary_needs": "vegetarian" if rng.random() < 0.1 else "",
                        "media_consent": True,
                        "ticket_version": 1,
                        "cancelled_at": None,
                    }
                )
                n += 1
        db.session.execute(insert(Attendee), rows)
        attendees = list(db.session.scalars(db.select(Attendee.id).order_by(Attendee.id)))

        # Proposals with reviews, and a released programme of 100 sessions.
        owners = []
        for i in range(max(registrations // 20, 10)):
            owner = create_user(
                email=f"owner{i}@bench.example", password=PASSWORD, name=f"Owner {i}"
            )
            owner.county = rng.choice(CALIFORNIA_COUNTIES)
            owners.append(owner)
        reviewers = [
            create_user(email=f"rev{i}@bench.example", password=PASSWORD, name=f"Reviewer {i}")
            for i in range(30)
        ]
        db.session.flush()
        states = ["submitted", "under_review", "accepted", "confirmed", "rejected", "waitlisted"]
        proposals = []
        for i in range(max(registrations // 5, 120)):
            state = "confirmed" if i < 100 else rng.choice(states)
            proposal = Proposal(
                code=f"PRO-{_code(rng, 6)}",
                summit_id=summit.id,
                owner_id=rng.choice(owners).id,
                state=state,
                title=f"Session {i}",
                track_id=rng.choice(tracks).id,
                format_id=rng.choice(formats).id,
                lead_role=rng.choice(roles),
                audience_roles=[],
                grade_bands=[],
                av_needs=[],
                language=rng.choice(("en", "es", "bilingual")),
                submitted_at=now,
            )
            proposal.presenters.append(
                Presenter(
                    public_id=_code(rng),
                    is_lead=True,
                    name=f"Lead {i}",
                    email=f"lead{i}@bench.example",
                )
            )
            proposals.append(proposal)
        db.session.add_all(proposals)
        db.session.flush()
        assignments, reviews = [], []
        for p in proposals:
            if p.state == "submitted":
                continue
            for reviewer in rng.sample(reviewers, 3):
                assignments.append(
                    {
                        "summit_id": summit.id,
                        "proposal_id": p.id,
                        "reviewer_id": reviewer.id,
                        "is_manual": False,
                        "created_at": now,
                    }
                )
                if rng.random() < 0.75:
                    reviews.append(
                        {
                            "summit_id": summit.id,
                            "proposal_id": p.id,
                            "reviewer_id": reviewer.id,
                            "scores": {"clarity": 3},
                            "flags": [],
                            "comment_committee": "",
                            "comment_presenters": "",
                            "is_abstained": False,
                            "submitted_at": now,
                            "updated_at": now,
                        }
                    )
        db.session.execute(insert(Assignment), assignments)
        db.session.execute(insert(Review), reviews)
        rooms = [
            Room(
                summit_id=summit.id,
                code=_code(rng, 8),
                name=f"Room {i}",
                capacity=rng.choice((30, 60, 120)),
                position=i,
                features=[],
            )
            for i in range(10)
        ]
        db.session.add_all(rooms)
        version = ScheduleVersion(summit_id=summit.id, number=1, released_at=now, changelog=[])
        db.session.add(version)
        db.session.flush()
        sessions = []
        for i, p in enumerate(proposals[:100]):
            day = DAY_ONE if i < 50 else DAY_TWO
            slot = (i % 50) // 10
            start = _at(day, 60 + slot * 75)
            room = rooms[i % 10]
            sessions.append((p, day, slot))
            db.session.add(
                ReleasedSession(
                    version_id=version.id,
                    proposal_id=p.id,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    day=day,
                    room_id=room.id,
                    room_name=room.name,
                )
            )
        entrances = {}
        for day in (DAY_ONE, DAY_TWO):
            entrances[day] = Checkpoint(
                summit_id=summit.id,
                code=_code(rng, 10),
                kind="entrance",
                name=f"Entrance {day}",
                day=day,
            )
        doors = {
            p.id: Checkpoint(
                summit_id=summit.id,
                code=_code(rng, 10),
                kind="session",
                name=p.title,
                proposal_id=p.id,
            )
            for p, _d, _s in sessions
        }
        db.session.add_all([*entrances.values(), *doors.values()])
        db.session.flush()

        # About ten scans a person: both entrances, sessions in their slots, some
        # repeats and undone check-ins; and stars from most people.
        target = registrations * 10
        scans, stars, agendas = [], [], []
        by_slot: dict[tuple[date, int], list] = {}
        for p, day, slot in sessions:
            by_slot.setdefault((day, slot), []).append(p.id)

        def scan(attendee_id, checkpoint_id, day, minute, result="checked_in", annulled=False):
            at = _at(day, minute)
            scans.append(
                {
                    "summit_id": summit.id,
                    "checkpoint_id": checkpoint_id,
                    "attendee_id": attendee_id,
                    "scan_id": secrets.token_hex(8),
                    "result": result,
                    "ticket_version": 1,
                    "scanned_at": at,
                    "received_at": at,
                    "is_clock_skewed": False,
                    "was_offline": False,
                    "device": f"door {minute % 7}",
                    "staff_id": None,
                    "annuls_id": None,
                    "annulled_at": at + timedelta(minutes=1) if annulled else None,
                }
            )

        for attendee_id in attendees:
            for day in (DAY_ONE, DAY_TWO):
                if rng.random() < 0.85:
                    scan(attendee_id, entrances[day].id, day, rng.randrange(90))
                    if rng.random() < 0.05:
                        scan(attendee_id, entrances[day].id, day, 95, "already_checked_in")
                    for slot in sorted(rng.sample(range(5), 4)):
                        choice = rng.choice(by_slot[(day, slot)])
                        annulled = rng.random() < 0.02
                        scan(attendee_id, doors[choice].id, day, 60 + slot * 75, annulled=annulled)
                        if len(scans) >= target:
                            break
            if len(scans) >= target:
                break
        while len(scans) < target:  # repeats at the doors make up the rest
            scan(rng.choice(attendees), entrances[DAY_ONE].id, DAY_ONE, 100, "already_checked_in")
        for attendee_id in attendees:
            if rng.random() < 0.7:
                agendas.append(
                    {
                        "public_id": secrets.token_urlsafe(12),
                        "summit_id": summit.id,
                        "attendee_id": attendee_id,
                        "locale": "en",
                        "created_at": now,
                        "changed_at": now,
                    }
                )
        for start in range(0, len(scans), 5000):
            db.session.execute(insert(Scan), scans[start : start + 5000])
        db.session.execute(insert(Agenda), agendas)
        agenda_ids = list(db.session.scalars(db.select(Agenda.id)))
        session_ids = [p.id for p, _d, _s in sessions]
        for agenda_id in agenda_ids:
            for proposal_id in rng.sample(session_ids, 5):
                stars.append(
                    {
                        "agenda_id": agenda_id,
                        "proposal_id": proposal_id,
                        "summit_id": summit.id,
                        "created_at": now,
                    }
                )
        db.session.execute(insert(Star), stars)
        db.session.commit()
        # Planner statistics, as autovacuum (PostgreSQL) or a maintenance ANALYZE (SQLite)
        # would have them: right after a bulk load PostgreSQL has none and picks nested
        # loops over thousands of scans (tens of seconds instead of milliseconds).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
        counts = {
            "registrations": len(attendees),
            "households": len(bookings),
            "scans": len(scans),
            "live_check_ins": sum(
                1 for s in scans if s["result"] == "checked_in" and not s["annulled_at"]
            ),
            "proposals": len(proposals),
            "reviews": len(reviews),
            "sessions": len(sessions),
            "stars": len(stars),
            "schema": schema,
        }
        db.session.remove()
        db.engine.dispose()
    return counts


def measure(url: str, warm_runs: int) -> dict:
    """Cold and warm request times and SQL statements of each dashboard."""
    from sqlalchemy import event

    from summit.core.warmup import warm_up
    from summit.extensions import db

    results = {}
    for name, path in DASHBOARDS.items():
        app = make_app(url)
        warm_up(app)  # what each gunicorn worker does at boot (gunicorn.conf.py)
        client = app.test_client()
        login = client.post(
            "/account/login", data={"email": "staff@bench.example", "password": PASSWORD}
        )
        assert login.status_code == 302, login.status_code
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def count(_conn, _cursor, statement, *_args, seen=statements):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            started = time.perf_counter()
            response = client.get(path)
            cold = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            queries = len(statements)
            warm = []
            for _ in range(warm_runs):
                started = time.perf_counter()
                client.get(path)
                warm.append((time.perf_counter() - started) * 1000)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        results[name] = {
            "cold_ms": round(cold, 1),
            "warm_median_ms": round(statistics.median(warm), 1),
            "warm_max_ms": round(max(warm), 1),
            "sql_statements": queries,
            "bytes": len(response.data),
        }
    return results


def run_engine(engine: str, url: str, sizes: list[int], warm_runs: int, cleanup) -> dict:
    out = {}
    for size in sizes:
        cleanup()
        started = time.perf_counter()
        counts = seed(url, size)
        seeded = time.perf_counter() - started
        print(
            f"  {engine}: {counts['registrations']} people, {counts['scans']} scans, "
            f"{counts['proposals']} proposals seeded in {seeded:.1f} s",
            flush=True,
        )
        out[str(size)] = {"data": counts, "dashboards": measure(url, warm_runs)}
    cleanup()
    return out


def print_table(results: dict) -> None:
    print(
        f"\n{'engine':<11}{'people':>7}{'scans':>7}  {'dashboard':<31}{'cold ms':>9}"
        f"{'warm ms':>9}{'SQL':>5}"
    )
    for engine, sizes in results.items():
        for run in sizes.values():
            for name, row in run["dashboards"].items():
                mark = "" if row["cold_ms"] < TARGET_COLD_MS else "  (over target)"
                print(
                    f"{engine:<11}{run['data']['registrations']:>7}{run['data']['scans']:>7}  "
                    f"{name:<31}{row['cold_ms']:>9}{row['warm_median_ms']:>9}"
                    f"{row['sql_statements']:>5}{mark}"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 1000, 3 warm runs")
    parser.add_argument("--sizes", default="", help="registrations per run, e.g. 300,3000")
    parser.add_argument("--warm", type=int, default=10, help="warm requests per dashboard")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="admin URL")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] or (
        [100, 1000] if args.quick else [300, 3000]
    )
    warm_runs = 3 if args.quick else args.warm

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="summit-bench-reports-") as work:
        sqlite_path = Path(work) / "reports.db"

        def clean_sqlite():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)

        print("SQLite:", flush=True)
        results["sqlite"] = run_engine(
            "sqlite", f"sqlite:///{sqlite_path}", sizes, warm_runs, clean_sqlite
        )
    if not args.no_postgres:
        admin = args.postgres

        def clean_postgres():
            drop_database(admin, DEFAULT_DATABASE)
            with connect_admin(admin) as connection:
                connection.execute(f'CREATE DATABASE "{DEFAULT_DATABASE}"')

        print("PostgreSQL:", flush=True)
        try:
            url = database_url(admin, DEFAULT_DATABASE).replace(
                "postgresql://", "postgresql+psycopg://", 1
            )
            results["postgresql"] = run_engine("postgresql", url, sizes, warm_runs, clean_postgres)
        finally:
            drop_database(admin, DEFAULT_DATABASE)

    print_table(results)
    biggest = str(max(sizes))
    cold = {
        e: max(r["cold_ms"] for r in runs[biggest]["dashboards"].values())
        for e, runs in results.items()
    }
    flat = {
        e: all(
            len({runs[str(s)]["dashboards"][d]["sql_statements"] for s in sizes}) == 1
            for d in DASHBOARDS
        )
        for e, runs in results.items()
    }
    verdict = {
        "target_cold_ms": TARGET_COLD_MS,
        "worst_cold_ms_at_largest": cold,
        "cold_target_met": all(v < TARGET_COLD_MS for v in cold.values()),
        "sql_statements_constant": flat,
    }
    print(
        f"\nworst cold at {biggest} people: {cold}; target {TARGET_COLD_MS} ms met: "
        f"{verdict['cold_target_met']}; SQL statements constant across sizes: {flat}"
    )
    report = {
        "benchmark": "reports",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": _cpus(),
            "sqlalchemy": _version("SQLAlchemy"),
            "psycopg": _version("psycopg"),
        },
        "code": _git(),
        "sizes": sizes,
        "warm_runs": warm_runs,
        "results": results,
        "verdict": verdict,
    }
    out = ROOT / "bench" / "results" / "reports.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


def _cpus() -> int | None:
    import os

    return os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
