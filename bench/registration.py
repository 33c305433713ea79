"""Benchmark: public registrations per second under gunicorn + PostgreSQL, concurrent clients.

Creates a fresh PostgreSQL database (``summit_bench_registration``; schema from
the migrations, or from the models with a warning when the migrations lag
behind them), one summit with registration open and two ticket types — a
small "workshop" type with fewer seats than people who want it (so the waiting
list fills) and a roomy "general" type — starts gunicorn on a free port with
``bench/registration_app.py`` (production config, rate limit off, mail kept in
the outbox) and lets C concurrent visitors (threads, standard library only)
register as single people or households of 2–3 with unique emails. Three
phases, each with all clients, split the N registrations:

1. register: the first half, each GET the form, read the CSRF token, POST it;
2. confirm:  those registrations, each read the confirm link from
   ``outbox_messages`` and open it (seats taken, or the waiting list) — GET,
   and when the page shows a Confirm button, POST that too;
3. flow:     the second half, each the whole loop (GET form, POST, read the
   link, open it) as a real visitor would.

Afterwards it checks in the database that no ticket type has more confirmed
people than seats, that the seat counters match the people, that every booking
is confirmed or waitlisted (and waitlisted only when it did not fit), and that
no request failed. Prints a table and writes bench/results/registration.json.
Gunicorn is stopped and the database dropped at the end, whatever happens.

    .venv/bin/python bench/registration.py --quick      # 200 registrations
    .venv/bin/python bench/registration.py              # 1000 registrations, 16 clients
    .venv/bin/python bench/registration.py --clients 32 --workers 8 --threads 2

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), or --postgres URL.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import io
import json
import math
import os
import platform
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "bench"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_DATABASE = "summit_bench_registration"
CSRF_RE = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')
CONFIRM_RE = re.compile(rf"https?://[^\s/]+(/{SLUG}/register/confirm/\S+)")
COUNTIES = ("Alameda", "Fresno", "Kern", "Los Angeles", "Sacramento", "San Diego", "Tulare")
ROLES = ("educator", "family", "community_partner", "administrator", "other")
FIRST = ("Ana", "Luis", "Keisha", "Tran", "María", "David", "Imani", "José", "Priya", "Sam")
LAST = ("García", "Johnson", "Nguyen", "Martínez", "Smith", "Hernández", "Lee", "Patel")
WORKSHOP_SHARE = 0.35  # chance that a person wants the small ticket type
WORKSHOP_FILL = 0.6  # its seats, as a share of the people who want it


# --- the registrations -----------------------------------------------------------


@dataclass
class Person:
    name: str
    email: str | None
    ticket: str  # "workshop" or "general"
    age_band: str
    extra: dict = field(default_factory=dict)


@dataclass
class Registration:
    index: int
    contact_name: str
    contact_email: str
    people: list[Person]


def plan(n: int, seed: int, tag: str) -> list[Registration]:
    """Single people and households of 2–3 (some children, with a guardian), unique emails."""
    rng = random.Random(seed)
    out = []
    for index in range(n):
        size = rng.choices((1, 2, 3), weights=(60, 25, 15))[0]
        contact = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        contact_email = f"bench-{tag}-{index}@example.org"
        people = []
        for member in range(size):
            minor = member > 0 and rng.random() < 0.5
            extra = {
                "preferred_language": "es" if rng.random() < 0.35 else "en",
                "county": rng.choice(COUNTIES),
                "dietary_needs": rng.choice(("", "", "vegetarian", "halal")),
            }
            if rng.random() < 0.8:
                extra["media_consent"] = "y"
            if rng.random() < 0.2:
                extra["wants_interpretation"] = "y"
            if rng.random() < 0.1:
                extra["accommodations"] = "wheelchair"
            if minor:
                extra |= {"guardian_name": contact, "guardian_email": contact_email}
            else:
                extra |= {"role_type": rng.choice(ROLES), "organisation": "Bench Unified"}
            people.append(
                Person(
                    name=contact if member == 0 else f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    email=None
                    if minor
                    else (
                        contact_email
                        if member == 0
                        else f"bench-{tag}-{index}-{member}@example.org"
                    ),
                    ticket="workshop" if rng.random() < WORKSHOP_SHARE else "general",
                    age_band=rng.choice(("13_17", "under_13")) if minor else "adult",
                    extra=extra,
                )
            )
        out.append(Registration(index, contact, contact_email, people))
    return out


def form_data(reg: Registration, csrf: str, type_ids: dict[str, int]) -> list[tuple[str, str]]:
    data = [
        ("csrf_token", csrf),
        ("contact_name", reg.contact_name),
        ("contact_email", reg.contact_email),
        ("access_code", ""),
        ("action", "register"),
    ]
    for i, person in enumerate(reg.people):
        prefix = f"people-{i}-"
        data += [
            (prefix + "name", person.name),
            (prefix + "email", person.email or ""),
            (prefix + "ticket_type", str(type_ids[person.ticket])),
            (prefix + "age_band", person.age_band),
        ]
        data += [(prefix + key, value) for key, value in person.extra.items()]
    return data


# --- HTTP, standard library only -------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 comes back as an HTTPError; we read its Location


class Visitor:
    """One browser: its own cookie jar (the session carries the CSRF secret)."""

    def __init__(self, base: str, timeout: float):
        if not base.startswith("http://"):
            raise ValueError(f"not an http:// address: {base}")
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # never route loopback through a proxy
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def request(self, path: str, data=None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (http only)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read().decode(errors="replace")


class StepError(Exception):
    def __init__(self, step: str, status: int | None, detail: str):
        super().__init__(f"{step}: {status} {detail}")
        self.step, self.status, self.detail = step, status, detail


class Recorder:
    """Latencies per step and errors, shared by the client threads of one phase."""

    def __init__(self, limit: int):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[dict] = []
        self.limit = limit
        self.stop = threading.Event()

    def timed(self, step: str, call):
        started = time.perf_counter()
        try:
            result = call()
        except StepError:
            raise
        except Exception as exc:  # a timeout, a refused connection: say which step
            raise StepError(step, None, f"{type(exc).__name__}: {exc}") from exc
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[step].append(elapsed)
        return result

    def error(self, index: int, exc: BaseException) -> None:
        if isinstance(exc, StepError):
            entry = {"step": exc.step, "status": exc.status, "detail": exc.detail[:300]}
        else:
            entry = {"step": "?", "status": None, "detail": f"{type(exc).__name__}: {exc}"[:300]}
        with self.lock:
            self.errors.append({"registration": index, **entry})
            if len(self.errors) >= self.limit:
                self.stop.set()


def do_register(visitor: Visitor, rec: Recorder, reg: Registration, type_ids) -> None:
    path = f"/{SLUG}/register"
    status, _headers, page = rec.timed("GET form", lambda: visitor.request(path))
    if status != 200:
        raise StepError("GET form", status, page[:200])
    found = CSRF_RE.search(page)
    if not found:
        raise StepError("GET form", status, "no csrf_token field in the form")
    data = form_data(reg, found.group(1), type_ids)
    status, _headers, page = rec.timed("POST register", lambda: visitor.request(path, data))
    if status != 200 or "Check your email" not in page or reg.contact_email not in page:
        raise StepError("POST register", status, _page_problem(page))


def _page_problem(page: str) -> str:
    errors = re.findall(r'class="[^"]*invalid-feedback[^"]*"[^>]*>([^<]+)<', page)
    title = re.search(r"<title>([^<]*)</title>", page)
    if errors:
        return "; ".join(e.strip() for e in errors)
    return title.group(1).strip() if title else re.sub(r"\s+", " ", page)[:200]


def find_confirm_link(conn, email: str, attempts: int = 20) -> str:
    for _ in range(attempts):  # committed before the POST answered; retries are a safety net
        row = conn.execute(
            "SELECT body_text FROM outbox_messages WHERE to_email = %s "
            "AND template = 'registration/emails/confirm' ORDER BY id DESC LIMIT 1",
            (email,),
        ).fetchone()
        if row:
            found = CONFIRM_RE.search(row[0])
            if not found:
                raise StepError("outbox lookup", None, "no confirm link in the email")
            return found.group(1)
        time.sleep(0.05)
    raise StepError("outbox lookup", None, f"no confirm email for {email}")


def do_confirm(visitor: Visitor, rec: Recorder, reg: Registration, conn) -> None:
    """Open the emailed link; when it shows a Confirm button (CSRF form), press it."""
    link = rec.timed("outbox lookup", lambda: find_confirm_link(conn, reg.contact_email))
    step = "GET confirm"
    status, headers, page = rec.timed(step, lambda: visitor.request(link))
    if status == 200:
        found = CSRF_RE.search(page)
        if not found:
            raise StepError(step, status, "neither a redirect nor a confirm button")
        step = "POST confirm"
        data = [("csrf_token", found.group(1))]
        status, headers, page = rec.timed(step, lambda: visitor.request(link, data))
    location = headers.get("Location", "")
    if status != 302 or f"/{SLUG}/tickets/" not in location:
        raise StepError(step, status, location or _page_problem(page))


def run_phase(name, regs, steps, *, type_ids, clients, base, timeout, db_url, error_limit):
    """``steps`` is "register", "confirm" or "flow"; returns timings and errors."""
    import psycopg

    work: queue.SimpleQueue = queue.SimpleQueue()
    for reg in regs:
        work.put(reg)
    rec = Recorder(error_limit)
    done: list[int] = []

    def client() -> None:
        with psycopg.connect(db_url, autocommit=True, connect_timeout=10) as conn:
            while not rec.stop.is_set():
                try:
                    reg = work.get_nowait()
                except queue.Empty:
                    return
                visitor = Visitor(base, timeout)  # a new visitor, a new session
                try:
                    started = time.perf_counter()
                    if steps in ("register", "flow"):
                        do_register(visitor, rec, reg, type_ids)
                    if steps in ("confirm", "flow"):
                        do_confirm(visitor, rec, reg, conn)
                    with rec.lock:
                        rec.latencies["whole " + steps].append(time.perf_counter() - started)
                        done.append(reg.index)
                except Exception as exc:  # every failure counts; the phase goes on
                    rec.error(reg.index, exc)

    threads = [threading.Thread(target=client, name=f"{name}-{i}") for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "phase": name,
        "registrations": len(regs),
        "completed": len(done),
        "completed_ids": set(done),
        "seconds": wall,
        "per_second": len(done) / wall if wall else 0.0,
        "latencies": rec.latencies,
        "errors": rec.errors,
        "aborted": rec.stop.is_set(),
    }


# --- PostgreSQL, the app and gunicorn --------------------------------------------


def connect_admin(url: str):
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        sys.exit(
            f"PostgreSQL is not reachable at {url}:\n  {error}\n"
            "Start it (127.0.0.1:5432, user postgres, trust auth) or pass --postgres URL."
        )


def database_url(admin_url: str, name: str) -> str:
    return urllib.parse.urlsplit(admin_url)._replace(path="/" + name).geturl()


def drop_database(admin_url: str, name: str) -> None:
    with connect_admin(admin_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_summit(schema: str, regs: list[Registration]) -> dict:
    """Schema, one summit open for registration, and its two ticket types."""
    from bench.registration_app import app
    from summit.extensions import db
    from summit.registration.services import save_ticket_type
    from summit.summits.services import create_summit

    wanted = sum(p.ticket == "workshop" for r in regs for p in r.people)
    people = sum(len(r.people) for r in regs)
    capacities = {"workshop": max(1, int(wanted * WORKSHOP_FILL)), "general": people * 2}
    with app.app_context():
        built = build_schema(schema)
        now = datetime.now(UTC)
        summit = create_summit(
            slug=SLUG,
            name="Registration benchmark",
            starts_on=date.today() + timedelta(days=60),
            ends_on=date.today() + timedelta(days=61),
            actor=None,
            make_current=True,
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=30),
        )
        ids = {}
        for code, name_en, name_es in (
            ("workshop", "Workshop day", "Día de taller"),
            ("general", "General admission", "Entrada general"),
        ):
            ticket = save_ticket_type(
                summit,
                actor=None,
                code=code,
                name_en=name_en,
                name_es=name_es,
                capacity=capacities[code],
            )
            db.session.flush()
            ids[code] = ticket.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {
        "type_ids": ids,
        "capacities": capacities,
        "wanted": wanted,
        "people": people,
        "schema": built,
    }


def build_schema(schema: str) -> str:
    """Returns how the schema was built; "auto" falls back to the models when they drift."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade
    from sqlalchemy import text

    import summit.models  # noqa: F401  (every model in the metadata)
    from summit.extensions import db

    if schema == "create-all":
        db.create_all()
        return "create_all"
    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log):  # alembic's INFO lines
            upgrade()
    except Exception:
        print(log.getvalue(), file=sys.stderr)
        raise
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, db.metadata)
    if not drift:
        return "migrations"
    summary = ", ".join(_describe(d) for d in drift)
    if schema == "migrate":
        sys.exit(f"the migrations are behind the models ({summary}); use --schema create-all")
    print(f"warning: the migrations are behind the models ({summary}); using db.create_all()")
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    db.create_all()
    return f"create_all (migrations behind the models: {summary})"


def _describe(diff) -> str:
    if isinstance(diff, list):  # column modifications come as lists of tuples
        return _describe(diff[0])
    kind, *rest = diff
    for item in rest:
        name = getattr(item, "name", None)
        table = getattr(getattr(item, "table", None), "name", None)
        if name:
            return f"{kind} {table + '.' if table and table != name else ''}{name}"
    return f"{kind} {' '.join(str(r) for r in rest if isinstance(r, str))}".strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(db_url: str) -> dict[str, str]:
    """Production settings for a benchmark server: rate limits and secure cookies off."""
    return {
        "SUMMIT_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": db_url,
        "TRUSTED_HOSTS": "127.0.0.1,localhost",
        "MAIL_BACKEND": "console",
        "RATELIMIT_ENABLED": "false",
        "SESSION_COOKIE_SECURE": "false",
        "PREFERRED_URL_SCHEME": "http",
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
    }


def start_gunicorn(
    port: int,
    workers: int,
    env: dict,
    log_path: Path,
    *,
    app: str = "bench.registration_app:app",
    threads: int = 1,
    extra: tuple[str, ...] = (),
    append: bool = False,
):
    """Gunicorn on ``port`` from the project folder (so it reads gunicorn.conf.py)."""
    cmd = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "-b", f"127.0.0.1:{port}"]
    cmd += ["-w", str(workers), "--timeout", "60", "--graceful-timeout", "5"]
    if threads > 1:
        cmd += ["-k", "gthread", "--threads", str(threads)]
    cmd += ["--log-level", "warning", *extra, app]
    log = log_path.open("ab" if append else "wb")
    try:
        return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    finally:
        log.close()


def wait_healthy(base: str, proc, log_path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{tail(log_path)}")
        try:
            status, _headers, body = Visitor(base, 2.0).request("/healthz")
            if status == 200:
                return
            last = f"{status} {body[:200]}"
        except OSError as error:
            last = str(error)
        time.sleep(0.2)
    raise RuntimeError(
        f"/healthz did not answer within {timeout:.0f} s ({last}):\n{tail(log_path)}"
    )


def stop_gunicorn(proc) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


EXCEPTION_RE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Violation|Timeout)): (.*)$")


def server_errors(path: Path) -> dict[str, int]:
    """The exceptions in gunicorn's log (last line of each traceback), with counts."""
    found: Counter = Counter()
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return {}
    for line in lines:
        match = EXCEPTION_RE.match(line.strip())
        if match and not match.group(1).startswith("sqlalchemy."):  # its wrapper repeats it
            found[f"{match.group(1)}: {match.group(2)[:160]}"] += 1
    return dict(found.most_common(10))


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- checks and report -----------------------------------------------------------


def check_database(db_url: str, expected: dict[int, Registration], setup: dict) -> dict:
    """Read what the run left behind; ``expected`` are the registrations that were POSTed."""
    import psycopg

    with psycopg.connect(db_url, connect_timeout=10) as conn:
        states = dict(
            conn.execute("SELECT state, count(*) FROM bookings GROUP BY state").fetchall()
        )
        types = conn.execute(
            "SELECT t.id, t.code, t.capacity, t.taken, count(a.id) "
            "FROM ticket_types t LEFT JOIN attendees a ON a.ticket_type_id = t.id "
            "AND a.cancelled_at IS NULL AND a.booking_id IN "
            "(SELECT id FROM bookings WHERE state IN ('confirmed', 'offered')) "
            "GROUP BY t.id ORDER BY t.id"
        ).fetchall()
        waitlisted_needs = conn.execute(
            "SELECT b.id, a.ticket_type_id, count(*) FROM bookings b "
            "JOIN attendees a ON a.booking_id = b.id AND a.cancelled_at IS NULL "
            "WHERE b.state = 'waitlisted' GROUP BY b.id, a.ticket_type_id"
        ).fetchall()
        attendees = conn.execute("SELECT count(*) FROM attendees").fetchone()[0]
        mail = dict(
            conn.execute("SELECT template, count(*) FROM outbox_messages GROUP BY template")
        )
        emails = {row[0] for row in conn.execute("SELECT contact_email FROM bookings")}
    free = {type_id: capacity - taken for type_id, _c, capacity, taken, _n in types}
    needs: dict[int, Counter] = defaultdict(Counter)
    for booking_id, type_id, count in waitlisted_needs:
        needs[booking_id][type_id] += count
    unjustified = [b for b, need in needs.items() if all(n <= free[t] for t, n in need.items())]
    bookings = sum(states.values())
    per_type = [
        {"code": code, "capacity": capacity, "taken": taken, "confirmed_people": people}
        for _id, code, capacity, taken, people in types
    ]
    checks = {
        "never_oversold": all(t["confirmed_people"] <= t["capacity"] for t in per_type)
        and all(t["taken"] <= t["capacity"] for t in per_type),
        "seat_counters_match_people": all(t["taken"] == t["confirmed_people"] for t in per_type),
        "all_confirmed_or_waitlisted": set(states) <= {"confirmed", "waitlisted"},
        "waitlisted_only_when_full": not unjustified,
        "waitlist_exercised": states.get("waitlisted", 0) > 0,
        "one_booking_per_registration": bookings == len(expected)
        and emails == {r.contact_email for r in expected.values()},
        "every_person_stored": attendees == sum(len(r.people) for r in expected.values()),
        "one_confirm_email_each": mail.get("registration/emails/confirm", 0) == bookings,
    }
    return {
        "checks": checks,
        "bookings": bookings,
        "states": states,
        "attendees": attendees,
        "ticket_types": per_type,
        "emails": mail,
        "unjustified_waitlist": unjustified[:10],
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = math.ceil(q / 100 * len(ordered)) - 1  # nearest rank
    return ordered[max(0, min(len(ordered) - 1, rank))]


def step_rows(phases: list[dict]) -> list[dict]:
    rows = []
    for phase in phases:
        for step, values in phase["latencies"].items():
            whole = step.startswith("whole ")
            errors = sum(e["step"] == step for e in phase["errors"])
            if whole:
                errors = len(phase["errors"])
            rows.append(
                {
                    "phase": phase["phase"],
                    "step": step,
                    "count": len(values),
                    "errors": errors,
                    "per_second": phase["per_second"] if whole else None,
                    "mean_ms": 1000 * sum(values) / len(values) if values else None,
                    "p50_ms": 1000 * percentile(values, 50),
                    "p95_ms": 1000 * percentile(values, 95),
                    "p99_ms": 1000 * percentile(values, 99),
                }
            )
    return rows


def print_table(rows: list[dict]) -> None:
    print(
        f"{'phase':<9} {'step':<16} {'count':>6} {'errors':>6} {'per s':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    for row in rows:
        rate = f"{row['per_second']:.1f}" if row["per_second"] is not None else ""
        print(
            f"{row['phase']:<9} {row['step']:<16} {row['count']:>6} {row['errors']:>6} "
            f"{rate:>7} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f}"
        )


# --- main ------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", "-n", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 registrations")
    parser.add_argument("--clients", "-c", type=int, default=16)
    parser.add_argument("--workers", "-w", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (>1: gthread workers)"
    )
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="admin connection URL")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--schema",
        choices=("auto", "migrate", "create-all"),
        default="auto",
        help="migrate: flask db upgrade, fail if the models differ; create-all: "
        "db.create_all(); auto (default): migrate, or create-all with a warning "
        "when the migrations are behind the models",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = 200 if args.quick else args.registrations
    if n < 2 or args.clients < 1 or args.workers < 1:
        parser.error("need at least 2 registrations, 1 client and 1 worker")

    admin = connect_admin(args.postgres)  # fails here, clearly, when PostgreSQL is down
    with admin:
        pg_version = admin.execute("SHOW server_version").fetchone()[0]
        max_connections = int(admin.execute("SHOW max_connections").fetchone()[0])
    needed = args.clients + args.workers * max(args.threads, 1) * 2 + 5
    if needed > max_connections:
        print(f"warning: up to {needed} connections, server allows {max_connections}")
    db_url = database_url(args.postgres, args.database)
    env = server_env(db_url)
    os.environ.update(env)  # before the first import of config: it reads them at import

    regs = plan(n, args.seed, tag=secrets.token_hex(3))
    first, second = regs[: n // 2], regs[n // 2 :]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.mkdtemp(prefix="summit-bench-")) / "gunicorn.log"
    proc = None
    drop_database(args.postgres, args.database)
    with connect_admin(args.postgres) as conn:
        conn.execute(f'CREATE DATABASE "{args.database}"')
    try:
        setup = setup_summit(args.schema, regs)
        proc = start_gunicorn(
            port, args.workers, {**os.environ, **env}, log_path, threads=args.threads
        )
        wait_healthy(base, proc, log_path)
        for _ in range(args.workers * max(args.threads, 1) * 2):  # warm every worker up
            Visitor(base, args.timeout).request(f"/{SLUG}/register")
        print(
            f"{n} registrations ({setup['people']} people), {args.clients} clients, "
            f"gunicorn {args.workers} worker(s) x {args.threads} thread(s) on {base}; "
            f"workshop seats {setup['capacities']['workshop']} for {setup['wanted']} wanting"
        )
        common = {
            "type_ids": setup["type_ids"],
            "clients": args.clients,
            "base": base,
            "timeout": args.timeout,
            "db_url": db_url,
            "error_limit": max(25, n // 10),
        }
        phases = [run_phase("register", first, "register", **common)]
        posted = [r for r in first if r.index in phases[0]["completed_ids"]]
        phases.append(run_phase("confirm", posted, "confirm", **common))
        phases.append(run_phase("flow", second, "flow", **common))
        # A flow that failed after its POST still left a booking behind.
        expected = {r.index: r for r in posted}
        expected |= {r.index: r for r in second if r.index in phases[2]["completed_ids"]}
        errors = [e for phase in phases for e in phase["errors"]]
        for e in errors:
            if e["step"] in ("outbox lookup", "GET confirm"):
                expected.setdefault(e["registration"], regs[e["registration"]])
        stop_gunicorn(proc)
        report = check_database(db_url, expected, setup)
        report["server_errors"] = server_errors(log_path)
    except BaseException:
        if proc is not None and log_path.exists():
            print(f"gunicorn log ({log_path}):\n{tail(log_path)}", file=sys.stderr)
        raise
    finally:
        stop_gunicorn(proc)
        drop_database(args.postgres, args.database)

    rows = step_rows(phases)
    print_table(rows)
    register_rate = phases[0]["per_second"]
    confirm_rate = phases[1]["per_second"]
    flow_rate = phases[2]["per_second"]
    print(
        f"registrations (GET form + POST): {register_rate:.1f}/s; "
        f"confirms (outbox + open link): {confirm_rate:.1f}/s; "
        f"full register+confirm flows: {flow_rate:.1f}/s"
    )
    for t in report["ticket_types"]:
        print(
            f"ticket type {t['code']:<8}: capacity {t['capacity']:>5}, taken {t['taken']:>5}, "
            f"confirmed people {t['confirmed_people']:>5}"
        )
    print(f"bookings: {report['bookings']} {dict(sorted(report['states'].items()))}")
    for name, ok in report["checks"].items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    for error in errors[:10]:
        print(
            f"  error: registration {error['registration']} {error['step']}: "
            f"{error['status']} {error['detail']}"
        )
    for line, count in report["server_errors"].items():
        print(f"  server error x{count}: {line}")
    valid = all(report["checks"].values()) and not errors
    if errors or report["server_errors"]:
        print(f"gunicorn log: {log_path}")
    else:
        shutil.rmtree(log_path.parent, ignore_errors=True)
    print(f"errors: {len(errors)}; verdict: {'PASS' if valid else 'FAIL'}")

    out = Path(__file__).resolve().parent / "results" / "registration.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "public registration under gunicorn + PostgreSQL",
                "registrations": n,
                "people": setup["people"],
                "clients": args.clients,
                "gunicorn": {
                    "workers": args.workers,
                    "threads": args.threads,
                    "worker_class": "gthread" if args.threads > 1 else "sync",
                },
                "schema": setup["schema"],
                "capacities": setup["capacities"],
                "summary": {
                    "registrations_per_second": register_rate,
                    "confirms_per_second": confirm_rate,
                    "flows_per_second": flow_rate,
                    "errors": len(errors),
                    "valid": valid,
                },
                "phases": [
                    {k: v for k, v in p.items() if k not in ("latencies", "completed_ids")}
                    for p in phases
                ],
                "steps": rows,
                "database": report,
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "postgresql": pg_version,
                    "gunicorn": _version("gunicorn"),
                },
                "git": _git(),
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        )
    )
    print(f"wrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out.name}")
    return 0 if valid else 1


def _git() -> dict:
    """Which app code was measured: the commit, and whether the tree had local changes."""

    def run(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        commit, changes = run("rev-parse", "HEAD"), run("status", "--porcelain")
        return {"commit": commit or None, "dirty": bool(changes)}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
