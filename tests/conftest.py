"""Shared fixtures: one database per run (SQLite or PostgreSQL), a real SMTP
server on loopback, an app per test, and helpers to log in by role.

The database is chosen by ``TEST_DATABASE_URL``: empty means a SQLite file,
a PostgreSQL URL means a fresh database created for this run and dropped after.
In CI (``CI=true``) a PostgreSQL run that cannot connect fails instead of skipping.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from config import normalise_database_url
from summit import create_app
from summit.extensions import db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct horse battery"


# --- database -------------------------------------------------------------


def _pg_admin_url(url: str) -> str:
    return normalise_database_url(url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    raw = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not raw:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    import psycopg

    plain = raw.replace("postgresql+psycopg://", "postgresql://")
    name = f"summit_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(plain, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.exit(f"PostgreSQL is required in CI and not reachable: {error}", returncode=3)
        pytest.skip(f"PostgreSQL not reachable at TEST_DATABASE_URL ({error})")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = _pg_admin_url(raw).rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TEST_DATABASE_URL", "").strip():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass of make test)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


# --- mail -----------------------------------------------------------------


@dataclass
class MailBox:
    """What a real SMTP server on loopback received."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def body(self, message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    box, _port = smtp_server
    box.clear()
    return box


# --- app ------------------------------------------------------------------

TEST_CONFIG = {
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "ARGON2_PARALLELISM": 1,
}


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return database_url


def _empty_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        # DELETE in reverse dependency order: for the handful of rows a test
        # leaves, it is faster than TRUNCATE on PostgreSQL.
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def _config(database_url: str, smtp_port: int, **overrides) -> dict:
    return {
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        **overrides,
    }


@pytest.fixture(scope="session")
def _default_app(_schema, smtp_server):
    """One app for the whole run: building one costs about 0.3 s (routes, OpenAPI).

    Tests that need other settings use ``make_app``; nothing here keeps state
    between tests except the database, which ``_clean_database`` empties.
    """
    _box, port = smtp_server
    app = create_app("testing", **_config(_schema, port))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def _clean_database(_default_app):
    yield
    _empty_tables(_default_app)


@pytest.fixture
def make_app(_schema, smtp_server, _clean_database):
    created = []

    def factory(**overrides):
        _box, port = smtp_server
        app = create_app("testing", **_config(_schema, port, **overrides))
        created.append(app)
        return app

    from summit.extensions import limiter

    enabled = limiter.enabled  # the limiter is one object shared by every app
    yield factory
    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    limiter.enabled = enabled


@pytest.fixture
def app(_default_app, _clean_database):
    return _default_app


@pytest.fixture
def ctx(app):
    """An application context for service tests (no requests inside it)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- people ---------------------------------------------------------------


@pytest.fixture
def make_user(app):
    """Create a verified user (optionally with roles) and return its email."""
    from summit.accounts.services import create_user
    from summit.summits.queries import get_summit_by_slug
    from summit.summits.services import grant_role

    def factory(email=None, *, name="Test Person", admin=False, roles=(), slug=None, **profile):
        email = email or f"person-{secrets.token_hex(3)}@example.org"
        with app.app_context():
            user = create_user(email=email, password=PASSWORD, name=name, is_admin=admin)
            for key, value in profile.items():
                setattr(user, key, value)
            if roles:
                summit = get_summit_by_slug(slug)
                for role in roles:
                    grant_role(summit, user, role, actor=None)
            db.session.commit()
        return email

    return factory


@pytest.fixture
def make_summit(app):
    from datetime import date

    from summit.summits.services import create_summit

    def factory(slug="2027", **values):
        values.setdefault("name", "Community Schools Summit 2027")
        values.setdefault("starts_on", date(2027, 9, 23))
        values.setdefault("ends_on", date(2027, 9, 24))
        with app.app_context():
            create_summit(slug=slug, actor=None, make_current=True, **values)
            db.session.commit()
        return slug

    return factory


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=PASSWORD, **extra):
        return self.client.post(
            "/account/login", data={"email": email, "password": password, **extra}
        )

    def logout(self):
        return self.client.post("/account/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login_as(app, client, make_summit, make_user, auth):
    """Log the test client in with a role in summit 2027: login_as("staff")."""

    def factory(role=None, *, admin=False, slug="2027"):
        from summit.summits.queries import get_summit_by_slug

        with app.app_context():
            exists = get_summit_by_slug(slug) is not None
        if not exists:
            make_summit(slug)
        email = make_user(admin=admin, roles=(role,) if role else (), slug=slug)
        response = auth.login(email)
        assert response.status_code == 302, response.data[:500]
        return email

    return factory


def wait_for(predicate, timeout=5.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def drain_in_threads(items, handle, *, threads: int, timeout: float = 120.0) -> None:
    """``threads`` workers start together and take ``items`` off one shared list until it
    is empty, calling ``handle(item)`` for each: the shape of every race test. ``handle``
    records its own outcome (each call should use its own app context and session)."""
    work, lock = list(items), threading.Lock()
    start = threading.Barrier(threads, timeout=30)

    def worker():
        start.wait()
        while True:
            with lock:
                if not work:
                    return
                item = work.pop()
            handle(item)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=timeout)
