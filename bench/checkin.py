"""Benchmark: door scans per second under gunicorn + PostgreSQL, against a trivial endpoint.

Creates a fresh PostgreSQL database (``summit_bench_checkin``; schema as in
bench/registration.py), one summit with T confirmed tickets and one door user
with a personal API token per scanner, starts gunicorn on a free port with this
module's ``make_app()`` (the production app, rate limit off, plus one trivial
and one floor route that exist only here) and runs three phases with C concurrent scanners
(threads, standard library only: HTTP/1.1 over a socket, keep-alive when the
server allows it, the same client in every phase), each sending N requests in all:

1. trivial: ``GET /bench/trivial`` — Flask, the same middleware and server
   setup, no database: the ceiling for this machine;
2. scans:   ``POST /api/v1/summits/bench/checkins`` with a bearer token — about
   70 % first scans of distinct tickets, 20 % repeats of tickets scanned
   before, 10 % invalid tokens (garbage and tampered signatures);
3. floor:   ``POST /bench/one-write`` — one INSERT in autocommit on the worker's own
   psycopg connection and nothing else: the least a route that stores a scan costs.

Before them each scanner sends a few garbage scans at the entrance, so that every
worker has read that door for it once: the phases measure the steady state (a
worker's first scan per scanner and door is the full reading; the in-process
timing below includes one). Each phase also reports the CPU milliseconds per
request spent by the load generator, by gunicorn's workers and by the PostgreSQL
backends of the benchmark database: they all share the same cores.

Afterwards it reads the database: no ticket may have two live check-ins, every
ticket scanned must have exactly one, and every scan must be stored. It also
counts the SQL statements of one request in-process (an SQLAlchemy
``before_cursor_execute`` listener) for a first scan, a repeat, a retried scan
id and an invalid token, for the whole request and for ``record_scan`` alone,
and times 200 first scans in-process (Flask test client, no HTTP server).
Prints a table and writes bench/results/checkin.json. Gunicorn is stopped and
the database dropped at the end, whatever happens.

    .venv/bin/python bench/checkin.py --quick     # 1000 scans
    .venv/bin/python bench/checkin.py             # 10000 scans, 32 scanners, 4 workers
    .venv/bin/python bench/checkin.py --quick --threads 4   # gthread workers, keep-alive

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), or --postgres URL.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import queue
import random
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
)

SLUG = "bench"
DEFAULT_DATABASE = "summit_bench_checkin"
SCAN_PATH = f"/api/v1/summits/{SLUG}/checkins"
TRIVIAL_PATH = "/bench/trivial"
ONE_WRITE_PATH = "/bench/one-write"
ONE_WRITE_TABLE = "bench_one_write"
ONE_WRITE_SQL = f"INSERT INTO {ONE_WRITE_TABLE} (scan_id) VALUES (%s)"  # noqa: S608 (a constant)
MIX = {"first": 0.7, "repeat": 0.2, "invalid": 0.1}
HOUSEHOLD = 100  # people per registration while setting up
TARGETS = {
    "scans_per_second": 300,  # 30x pretix's 10-14 check-ins per second
    "queries_per_scan": 3,
    "ratio_to_trivial": 0.5,
    "p99_ms": 50,
}
OVERRIDES = {
    "RATELIMIT_ENABLED": False,  # every simulated scanner shares 127.0.0.1
    "MAIL_BACKEND": "console",
    "MAIL_SEND_AFTER_REQUEST": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "PREFERRED_URL_SCHEME": "http",
}


def make_app():
    """The WSGI app gunicorn serves: production settings, a trivial and a floor route."""
    from summit import create_app
    from summit.extensions import csrf

    app = create_app("production", **OVERRIDES)

    @app.get(TRIVIAL_PATH)
    def trivial():
        return {"ok": True}

    @app.post(ONE_WRITE_PATH)
    def one_write():
        """The least a route that stores a scan can do: one INSERT in autocommit (a single
        round trip, as a scan's) on the worker's own psycopg connection: no pool, no ORM,
        no authentication, no signature, no answer to build."""
        from flask import request

        from summit.extensions import db

        scan_id = request.get_json()["scan_id"]
        _one_write_connection(db.engine.url).execute(ONE_WRITE_SQL, (scan_id,))
        return {"ok": True}

    csrf.exempt(one_write)  # a JSON API call, as the scan route
    return app


@functools.cache
def _one_write_connection(url):
    """The worker's own connection for the one-write route, made at its first request."""
    import psycopg

    return psycopg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    )


# --- the scans -------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    kind: str  # "first", "repeat" or "invalid"
    token: str
    scan_id: str
    ticket: int | None  # index of the ticket, None for invalid tokens


def garbage(rng: random.Random, tokens: list[str]) -> str:
    """Not a ticket: random text, a URL, a truncated or a tampered ticket."""
    real = rng.choice(tokens)
    return rng.choice(
        (
            "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=rng.randint(5, 200))),
            f"https://example.org/?ticket={rng.getrandbits(64):x}",
            real[: rng.randint(3, len(real) - 1)],
            real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB"),
            "SM1" + "A" * rng.randint(100, 390),
        )
    )


def plan(n: int, tokens: list[str], seed: int) -> list[Scan]:
    """``n`` scans in the order scanners send them; a repeat follows its ticket's first."""
    rng = random.Random(seed)
    scans, scanned = [], []
    fresh = iter(range(len(tokens)))
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=n)
    for index, kind in enumerate(kinds):
        if kind == "repeat" and not scanned:
            kind = "first"
        if kind == "first":
            ticket = next(fresh)
            scanned.append(ticket)
        elif kind == "repeat":
            ticket = rng.choice(scanned)
        else:
            ticket = None
        token = tokens[ticket] if ticket is not None else garbage(rng, tokens)
        scans.append(Scan(kind, token, f"bench-{index}", ticket))
    return scans


# --- HTTP, standard library only -------------------------------------------------


class Client:
    """One scanner: HTTP/1.1 over a plain socket, standard library only.

    The load generator shares the machine's cores with the server, so it is kept
    cheap: a request is a few string operations and one ``sendall`` (no http.client),
    and a connection is kept open while the server allows it (gunicorn's sync workers
    close each one; gthread workers keep it). Both phases use this same client.
    """

    def __init__(self, port: int, timeout: float, headers: dict):
        self.port, self.timeout = port, timeout
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.sock: socket.socket | None = None

    def prepare(self, method: str, path: str, body: dict | None = None) -> bytes:
        payload = b"" if body is None else json.dumps(body).encode()
        lines = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{self.head}"
        if body is not None:
            lines += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        return (lines + "\r\n").encode() + payload

    def send(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            fresh = self.sock is None
            if fresh:
                self.sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.reader = self.sock.makefile("rb")
            try:
                self.sock.sendall(raw)
                return self._response()
            except (ConnectionError, EOFError):
                self.close()
                if fresh or attempt == 2:  # a kept connection the server closed: retry once
                    raise
        raise AssertionError("unreachable")

    def _response(self) -> tuple[int, bytes]:
        status_line = self.reader.readline()
        if not status_line:
            raise EOFError("connection closed before a response")
        status = int(status_line.split()[1])
        length, close = None, False
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and b"close" in value.lower():
                close = True
        body = self.reader.read(length) if length is not None else self.reader.read()
        if close or length is None:
            self.close()
        return status, body

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        return self.send(self.prepare(method, path, body))

    def close(self) -> None:
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
            self.sock = None


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(gunicorn_pid: int | None, database: str) -> dict[str, list[int]]:
    """gunicorn's workers and the PostgreSQL backends connected to ``database``."""
    found: dict[str, list[int]] = {"gunicorn": [], "postgres": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if gunicorn_pid is not None and ppid == gunicorn_pid:
            found["gunicorn"].append(int(entry.name))
        elif cmdline.startswith("postgres: ") and f" {database} " in cmdline:
            found["postgres"].append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds spent during a phase by the load generator (this process, all its
    threads), gunicorn's workers and the PostgreSQL backends of the benchmark database:
    on a small machine they share the same cores, so this shows who the bottleneck is."""

    def __init__(self, gunicorn_pid: int | None = None, database: str = ""):
        self.gunicorn_pid, self.database = gunicorn_pid, database

    def sample(self) -> dict[str, float]:
        pids = server_pids(self.gunicorn_pid, self.database) if sys.platform == "linux" else {}
        out = {"client": time.process_time()}
        for name, group in pids.items():
            out[name] = sum(_proc_cpu(pid) for pid in group)
        return out


def run_phase(
    name: str, jobs: list, send, *, clients: list[Client], meter: CpuMeter | None = None
) -> dict:
    """Every client takes jobs from one queue; ``send(client, job)`` returns an error or None."""
    work: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        work.put(job)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(len(clients), timeout=30)

    def loop(client: Client) -> None:
        start.wait()
        mine, failed = [], []
        while True:
            try:
                job = work.get_nowait()
            except queue.Empty:
                break
            began = time.perf_counter()
            try:
                problem = send(client, job)
            except Exception as exc:  # a timeout, a refused connection: all count
                problem = f"{type(exc).__name__}: {exc}"
            mine.append(time.perf_counter() - began)
            if problem:
                failed.append(problem)
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=loop, args=(c,), name=f"{name}-{i}") for i, c in
               enumerate(clients)]  # fmt: skip
    cpu_before = meter.sample() if meter else {}
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu_after = meter.sample() if meter else {}
    for client in clients:
        client.close()
    n = max(len(jobs), 1)
    cpu_ms = {k: 1000 * (cpu_after[k] - cpu_before.get(k, 0.0)) / n for k in cpu_after}
    return {
        "phase": name,
        "requests": len(jobs),
        "seconds": wall,
        "per_second": len(jobs) / wall if wall else 0.0,
        "p50_ms": 1000 * percentile(latencies, 50),
        "p95_ms": 1000 * percentile(latencies, 95),
        "p99_ms": 1000 * percentile(latencies, 99),
        "max_ms": 1000 * max(latencies, default=float("nan")),
        "errors": len(errors),
        "error_samples": errors[:10],
        "cpu_ms_per_request": cpu_ms,
    }


def scan_sender(checkpoint: str, answers: Counter, lock: threading.Lock):
    # A repeat may reach the server before its first scan (another scanner holds that one).
    admitted = {"checked_in", "already_checked_in"}
    expected = {"first": admitted, "repeat": admitted, "invalid": {"invalid"}}

    def send(client: Client, scan: Scan) -> str | None:
        body = {"token": scan.token, "checkpoint": checkpoint, "scan_id": scan.scan_id}
        status, raw = client.request("POST", SCAN_PATH, body)
        if status != 200:
            return f"{status} {raw[:200]!r}"
        result = json.loads(raw)["result"]
        with lock:
            answers[(scan.kind, result)] += 1
        if result not in expected[scan.kind]:
            return f"{scan.kind} scan answered {result}"
        return None

    return send


def warm_up_sender(checkpoint: str):
    def send(client: Client, scan_id: str) -> None:
        client.request("POST", SCAN_PATH, {"token": "warm-up", "checkpoint": checkpoint,
                                           "scan_id": scan_id})  # fmt: skip

    return send


def _json_ok(status: int, raw: bytes) -> str | None:
    return None if status == 200 and raw.startswith(b"{") else f"{status} {raw[:200]!r}"


def trivial_sender(client: Client, _job) -> str | None:
    return _json_ok(*client.request("GET", TRIVIAL_PATH))


def one_write_sender(client: Client, job: int) -> str | None:
    return _json_ok(*client.request("POST", ONE_WRITE_PATH, {"scan_id": f"floor-{job}"}))


# --- the database and the app ----------------------------------------------------


def setup_summit(schema: str, tickets: int, scanners: int) -> dict:
    """Schema, a summit with ``tickets`` confirmed people, one door token per scanner."""
    from sqlalchemy import text

    from summit.accounts.services import create_api_token, create_user
    from summit.checkin.services import ensure_entrances
    from summit.extensions import db
    from summit.registration import services as registration
    from summit.summits.services import create_summit, grant_role

    app = make_app()
    with app.app_context():
        built = build_schema(schema)
        db.session.execute(
            text(
                f"CREATE TABLE {ONE_WRITE_TABLE} (scan_id varchar(64) PRIMARY KEY, "
                "at timestamptz NOT NULL DEFAULT now())"
            )
        )
        now = datetime.now(UTC)
        summit = create_summit(
            slug=SLUG,
            name="Check-in benchmark",
            starts_on=date.today(),
            ends_on=date.today() + timedelta(days=1),
            actor=None,
            make_current=True,
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=30),
        )
        ticket = registration.save_ticket_type(
            summit, actor=None, code="general", name_en="General", name_es="General",
            capacity=tickets,
        )  # fmt: skip
        db.session.flush()
        attendees = []
        for start in range(0, tickets, HOUSEHOLD):
            people = [
                {"name": f"Person {n}", "email": f"p{n}@example.org", "ticket_type": ticket,
                 "media_consent": n % 5 != 0}
                for n in range(start, min(start + HOUSEHOLD, tickets))
            ]  # fmt: skip
            booking, secret = registration.register(
                summit, contact_name="Contact", contact_email=f"c{start}@example.org",
                people=people,
            )  # fmt: skip
            registration.confirm_booking(secret)
            attendees += booking.attendees
        entrance, next_day = ensure_entrances(summit)
        doors = []
        for n in range(scanners):
            user = create_user(
                email=f"door{n}@example.org", password=secrets.token_urlsafe(16), name=f"Door {n}"
            )
            grant_role(summit, user, "door", actor=None)
            doors.append(create_api_token(user, f"scanner {n}").secret)
        tokens = [registration.ticket_token(summit, a) for a in attendees]
        result = {
            "schema": built,
            "tokens": tokens,
            "doors": doors,
            "checkpoint": entrance.code,
            "spare_checkpoint": next_day.code,
        }
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return result


def count_queries(setup: dict) -> dict:
    """SQL statements of one scan request in-process, and of ``record_scan`` alone.

    Runs against the benchmark database at the spare checkpoint, on tickets the
    load never scans there; its rows are deleted afterwards.
    """
    from sqlalchemy import event

    from summit.checkin import services
    from summit.checkin.models import Checkpoint
    from summit.checkin.models import Scan as ScanRow
    from summit.extensions import db
    from summit.summits.queries import get_summit_by_slug

    app = make_app()
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:100])

    headers = {"Authorization": f"Bearer {setup['doors'][0]}"}
    client = app.test_client()
    first, warm, direct = setup["tokens"][-3:]
    cases = [
        ("first scan", first, "count-1"),
        ("repeat", first, "count-2"),
        ("same scan id again", first, "count-2"),
        ("invalid token", "SM1NOTATICKET", "count-3"),
    ]
    out = {"request": {}, "record_scan": {}, "statements": {}}
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        client.post(SCAN_PATH, json={"token": warm, "checkpoint": setup["spare_checkpoint"],
                                     "scan_id": "count-warm"}, headers=headers)  # fmt: skip
        for label, token, scan_id in cases:
            statements.clear()
            body = {"token": token, "checkpoint": setup["spare_checkpoint"], "scan_id": scan_id}
            response = client.post(SCAN_PATH, json=body, headers=headers)
            assert response.status_code == 200, response.get_data()[:300]
            out["request"][label] = len(statements)
            out["statements"][label] = list(statements)
        with app.app_context():
            summit = get_summit_by_slug(SLUG)
            checkpoint = db.session.scalar(
                db.select(Checkpoint).filter_by(code=setup["spare_checkpoint"])
            )
            for label, token, scan_id in cases:
                token = direct if token == first else token
                statements.clear()
                services.record_scan(
                    summit,
                    token=token,
                    checkpoint=checkpoint,
                    scan_id=f"direct-{scan_id}",
                    actor=None,
                )
                out["record_scan"][label] = len(statements)
            db.session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    with app.app_context():
        db.session.execute(db.delete(ScanRow).where(ScanRow.scan_id.like("count-%")))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return out


def time_in_process(setup: dict, n: int = 200) -> dict:
    """Milliseconds per first scan through the Flask test client, no HTTP server.

    ``n`` first scans of distinct tickets at the spare checkpoint (the load never
    scans there), one request each; the rows are deleted afterwards.
    """
    from summit.checkin.models import Scan as ScanRow
    from summit.extensions import db

    app = make_app()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {setup['doors'][0]}"}
    tokens = setup["tokens"][: min(n, len(setup["tokens"]) - 3)]
    spare = setup["spare_checkpoint"]
    client.post(SCAN_PATH, json={"token": "warm-up", "checkpoint": spare,
                                 "scan_id": "timed-warm"}, headers=headers)  # fmt: skip
    began = time.perf_counter()
    for index, token in enumerate(tokens):
        body = {"token": token, "checkpoint": spare, "scan_id": f"timed-{index}"}
        response = client.post(SCAN_PATH, json=body, headers=headers)
        assert response.status_code == 200, response.get_data()[:300]
    seconds = time.perf_counter() - began
    with app.app_context():
        db.session.execute(db.delete(ScanRow).where(ScanRow.scan_id.like("timed-%")))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"scans": len(tokens), "ms_per_scan": 1000 * seconds / max(len(tokens), 1)}


def start_checkin_gunicorn(port: int, workers: int, env: dict, log_path: Path, threads: int = 1):
    # gthread: keep-alive connections, requests overlap their database waits
    extra = ("--keep-alive", "30") if threads > 1 else ()
    return start_gunicorn(
        port, workers, env, log_path, app="bench.checkin:make_app()", threads=threads,
        extra=(*extra, "--backlog", "2048"),
    )  # fmt: skip


def wait_healthy(port: int, proc, log_path: Path, timeout: float = 30.0) -> None:
    deadline, last = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{tail(log_path)}")
        try:
            status, body = Client(port, 2.0, {}).request("GET", "/healthz")
            if status == 200:
                return
            last = f"{status} {body[:200]!r}"
        except OSError as error:
            last = str(error)
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer within {timeout:.0f} s ({last})")


def check_database(db_url: str, scans: list[Scan], checkpoint: str) -> dict:
    import psycopg

    with psycopg.connect(db_url, connect_timeout=10) as conn:
        (checkpoint_id,) = conn.execute(
            "SELECT id FROM checkpoints WHERE code = %s", (checkpoint,)
        ).fetchone()
        doubles = conn.execute(
            "SELECT count(*) FROM (SELECT attendee_id FROM scans WHERE checkpoint_id = %s "
            "AND result = 'checked_in' AND annulled_at IS NULL "
            "GROUP BY attendee_id HAVING count(*) > 1) AS d",
            (checkpoint_id,),
        ).fetchone()[0]
        live = conn.execute(
            "SELECT count(DISTINCT attendee_id) FROM scans WHERE checkpoint_id = %s "
            "AND result = 'checked_in' AND annulled_at IS NULL",
            (checkpoint_id,),
        ).fetchone()[0]
        stored = dict(
            conn.execute(
                "SELECT result, count(*) FROM scans WHERE checkpoint_id = %s AND "
                "scan_id LIKE 'bench-%%' GROUP BY result",
                (checkpoint_id,),
            ).fetchall()
        )
    tickets = len({s.ticket for s in scans if s.ticket is not None})
    return {
        "double_check_ins": doubles,
        "tickets_checked_in": live,
        "tickets_scanned": tickets,
        "scans_stored": stored,
        "checks": {
            "no_double_check_ins": doubles == 0,
            "every_scanned_ticket_checked_in_once": live == tickets,
            "every_scan_stored": sum(stored.values()) == len(scans),
        },
    }


# --- report ----------------------------------------------------------------------


def print_report(phases: list[dict], ratio: float, queries: dict, report: dict) -> None:
    print(
        f"{'phase':<8} {'requests':>8} {'errors':>6} {'per s':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for p in phases:
        print(
            f"{p['phase']:<8} {p['requests']:>8} {p['errors']:>6} {p['per_second']:>8.1f} "
            f"{p['p50_ms']:>7.1f} {p['p95_ms']:>7.1f} {p['p99_ms']:>7.1f} {p['max_ms']:>7.1f}"
        )
    print(f"scans / trivial: {ratio:.2f}")
    print("CPU ms per request: " + "; ".join(
        f"{p['phase']} " + ", ".join(f"{k} {v:.2f}" for k, v in p["cpu_ms_per_request"].items())
        for p in phases
    ))  # fmt: skip
    print(f"{'SQL statements':<20} {'request':>8} {'record_scan':>12}")
    for label, count in queries["request"].items():
        print(f"{label:<20} {count:>8} {queries['record_scan'][label]:>12}")
    print(f"double check-ins in the database: {report['double_check_ins']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", "-n", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1000 scans")
    parser.add_argument("--clients", "-c", type=int, default=32, help="concurrent scanners")
    parser.add_argument("--workers", "-w", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=1,
        help="threads per worker; above 1 the gthread worker class (keep-alive) instead of sync",
    )  # fmt: skip
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="admin connection URL")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--schema", choices=("auto", "migrate", "create-all"), default="auto",
        help="as in bench/registration.py",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = 1000 if args.quick else args.scans
    worker_class = "sync" if args.threads <= 1 else f"gthread ({args.threads} threads)"
    if n < 10 or args.clients < 1 or args.workers < 1:
        parser.error("need at least 10 scans, 1 scanner and 1 worker")

    with connect_admin(args.postgres) as admin:  # fails here, clearly, when PostgreSQL is down
        pg_version = admin.execute("SHOW server_version").fetchone()[0]
    db_url = database_url(args.postgres, args.database)
    env = server_env(db_url)
    os.environ.update(env)  # before the first import of config: it reads them at import

    tickets = int(n * MIX["first"] * 1.1) + 10
    port = free_port()
    log_path = Path(tempfile.mkdtemp(prefix="summit-bench-")) / "gunicorn.log"
    proc = None
    drop_database(args.postgres, args.database)
    with connect_admin(args.postgres) as conn:
        conn.execute(f'CREATE DATABASE "{args.database}"')
    try:
        began = time.perf_counter()
        setup = setup_summit(args.schema, tickets, args.clients)
        scans = plan(n, setup["tokens"][:-3], args.seed)  # the last three are for counting
        print(f"set up {tickets} tickets and {args.clients} door tokens in "
              f"{time.perf_counter() - began:.1f} s")  # fmt: skip
        queries = count_queries(setup)
        timed = time_in_process(setup)
        proc = start_checkin_gunicorn(
            port, args.workers, {**os.environ, **env}, log_path, args.threads
        )
        wait_healthy(port, proc, log_path)
        clients = [
            Client(port, args.timeout, {"Authorization": f"Bearer {secret}"})
            for secret in setup["doors"]
        ]
        # Every worker, both routes; and every scanner a few garbage scans at the entrance,
        # so that each worker has read that door for it once (steady state: a worker's
        # first scan per scanner and door is the full reading, as the in-process timing).
        warm = [f"warm-{i}" for i in range(args.workers * 8)]
        run_phase("warm-up", warm, trivial_sender, clients=clients)
        run_phase("warm-up", [-1 - i for i in range(len(warm))], one_write_sender,
                  clients=clients)  # fmt: skip
        warm = [f"warm-{i}" for i in range(args.workers * args.clients * 3)]
        run_phase("warm-up", warm, warm_up_sender(setup["checkpoint"]), clients=clients)
        print(
            f"{n} scans ({dict(Counter(s.kind for s in scans))}), {args.clients} scanners, "
            f"gunicorn {args.workers} {worker_class} worker(s) on 127.0.0.1:{port}, "
            f"{os.cpu_count()} CPUs"
        )
        answers: Counter = Counter()
        meter = CpuMeter(proc.pid, args.database)
        phases = [
            run_phase("trivial", list(range(n)), trivial_sender, clients=clients, meter=meter),
            run_phase(
                "scans",
                scans,
                scan_sender(setup["checkpoint"], answers, threading.Lock()),
                clients=clients,
                meter=meter,
            ),
            run_phase("1 write", list(range(n)), one_write_sender, clients=clients, meter=meter),
        ]
        stop_gunicorn(proc)
        report = check_database(db_url, scans, setup["checkpoint"])
        report["server_errors"] = server_errors(log_path)
    except BaseException:
        if proc is not None and log_path.exists():
            print(f"gunicorn log ({log_path}):\n{tail(log_path)}", file=sys.stderr)
        raise
    finally:
        stop_gunicorn(proc)
        drop_database(args.postgres, args.database)

    trivial, scan, floor = phases

    def per_trivial(phase: dict) -> float:
        return phase["per_second"] / trivial["per_second"] if trivial["per_second"] else 0.0

    ratio, floor_ratio = per_trivial(scan), per_trivial(floor)
    print_report(phases, ratio, queries, report)
    print(
        f"floor: a route doing one INSERT + COMMIT and nothing else reaches {floor_ratio:.2f} "
        f"of the trivial route, p99 {floor['p99_ms']:.1f} ms"
    )
    print(f"in-process: {timed['ms_per_scan']:.1f} ms per first scan ({timed['scans']} scans)")
    worst_queries = max(queries["record_scan"].values())
    targets = {
        "scans_per_second": scan["per_second"] >= TARGETS["scans_per_second"],
        "queries_per_scan": worst_queries <= TARGETS["queries_per_scan"],
        "ratio_to_trivial": ratio >= TARGETS["ratio_to_trivial"],
        "p99_ms": scan["p99_ms"] < TARGETS["p99_ms"],
    }
    for name, ok in {**report["checks"], **targets}.items():
        print(f"  {'ok  ' if ok else 'MISS'} {name}")
    for name, line in [("server error", k) for k in report["server_errors"]]:
        print(f"  {name}: {line}")
    errors = sum(p["errors"] for p in phases)
    for sample in [sample for p in phases for sample in p["error_samples"]]:
        print(f"  error: {sample}")
    valid = all(report["checks"].values()) and not errors and not report["server_errors"]
    if errors or report["server_errors"]:
        print(f"gunicorn log: {log_path}")
    else:
        shutil.rmtree(log_path.parent, ignore_errors=True)
    print(f"errors: {errors}; verdict: {'PASS' if valid else 'FAIL'}")

    out = Path(__file__).resolve().parent / "results" / "checkin.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "door scans under gunicorn + PostgreSQL",
                "scans": n,
                "mix": dict(Counter(s.kind for s in scans)),
                "scanners": args.clients,
                "gunicorn": {"workers": args.workers, "worker_class": worker_class},
                "schema": setup["schema"],
                "summary": {
                    "scans_per_second": scan["per_second"],
                    "trivial_per_second": trivial["per_second"],
                    "ratio_to_trivial": ratio,
                    "one_write_per_second": floor["per_second"],
                    "one_write_ratio_to_trivial": floor_ratio,
                    "one_write_p99_ms": floor["p99_ms"],
                    "p50_ms": scan["p50_ms"],
                    "p95_ms": scan["p95_ms"],
                    "p99_ms": scan["p99_ms"],
                    "double_check_ins": report["double_check_ins"],
                    "sql_per_scan": queries["record_scan"],
                    "sql_per_request": queries["request"],
                    "in_process_ms_per_scan": timed["ms_per_scan"],
                    "errors": errors,
                    "valid": valid,
                },
                "targets": {"values": TARGETS, "met": targets},
                "phases": phases,
                "answers": {f"{k} -> {r}": c for (k, r), c in sorted(answers.items())},
                "sql_statements": queries["statements"],
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


if __name__ == "__main__":
    sys.exit(main())
