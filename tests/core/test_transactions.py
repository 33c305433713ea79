"""How requests end their transactions: a read-only one with COMMIT on PostgreSQL (so
psycopg keeps its prepared statements), anything that wrote or failed with ROLLBACK."""

from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import event, text, update

from summit.core.transactions import commit_if_nothing_was_written
from summit.extensions import db
from summit.summits.models import Summit
from tests.scheduling.conftest import SLUG


@pytest.fixture
def endings(app):
    """The COMMIT and ROLLBACK each connection ends with, in order."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {
        "commit": lambda _conn: seen.append("commit"),
        "rollback": lambda _conn: seen.append("rollback"),
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    yield seen
    for name, listener in listeners.items():
        event.remove(engine, name, listener)


def _is_postgresql(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_a_read_only_request_ends_with_commit_on_postgresql(app, client, make_summit, endings):
    make_summit(SLUG)
    endings.clear()

    response = client.get(f"/{SLUG}/")

    assert response.status_code == 200
    expected = ["commit"] if _is_postgresql(app) else ["rollback"]
    assert endings == expected


def test_an_app_context_that_wrote_without_committing_is_rolled_back(app, make_summit, endings):
    make_summit(SLUG, name="Before")
    endings.clear()
    with app.app_context():
        db.session.execute(update(Summit).where(Summit.slug == SLUG).values(name="After"))

    assert endings == ["rollback"]
    with app.app_context():
        assert db.session.scalar(db.select(Summit.name).where(Summit.slug == SLUG)) == "Before"


def test_pending_changes_never_flushed_are_not_committed(app, make_summit, endings):
    make_summit(SLUG, name="Before")
    endings.clear()
    with app.app_context():
        summit = db.session.scalar(db.select(Summit).where(Summit.slug == SLUG))
        with db.session.no_autoflush:
            summit.name = "Changed but not saved"

    assert endings == ["rollback"]
    with app.app_context():
        assert db.session.scalar(db.select(Summit.name).where(Summit.slug == SLUG)) == "Before"


def test_a_request_that_wrote_and_then_refused_is_rolled_back(make_app, make_summit):
    app = make_app()

    @app.post("/_write_then_refuse")
    def write_then_refuse():
        db.session.execute(update(Summit).where(Summit.slug == SLUG).values(name="Written"))
        abort(409)

    make_summit(SLUG, name="Before")
    response = app.test_client().post("/_write_then_refuse")

    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(db.select(Summit.name).where(Summit.slug == SLUG)) == "Before"


def test_a_request_that_failed_is_rolled_back(make_app, make_summit):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_read_then_fail")
    def read_then_fail():
        db.session.scalar(db.select(Summit.name))
        raise RuntimeError("boom")

    make_summit(SLUG)
    seen = []
    with app.app_context():
        event.listen(db.engine, "rollback", lambda _conn: seen.append("rollback"))
    response = app.test_client().get("/_read_then_fail")

    assert response.status_code == 500
    assert seen == ["rollback"]


def _prepared_statements(app) -> int:
    """Statements the pooled connection has prepared on the server."""
    with app.app_context():
        return db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))


@pytest.mark.parametrize("commit_read_only", [True, False], ids=["as-built", "control"])
def test_prepared_statements_survive_read_only_requests(make_app, make_summit, commit_read_only):
    """The reason for the COMMIT: psycopg prepares a statement after its fifth run and
    drops them all at a ROLLBACK. The control takes the COMMIT away and shows that
    then nothing stays prepared."""
    app = make_app()
    if not _is_postgresql(app):
        pytest.skip("prepared statements are PostgreSQL's (runs in the PostgreSQL pass)")
    if not commit_read_only:
        app.teardown_appcontext_funcs.remove(commit_if_nothing_was_written)
    make_summit(SLUG)
    client = app.test_client()

    for _ in range(8):
        assert client.get(f"/{SLUG}/").status_code == 200

    if commit_read_only:
        assert _prepared_statements(app) > 0
    else:
        assert _prepared_statements(app) == 0


def test_rows_read_in_a_context_stay_readable_after_it(app, make_summit):
    """As after the ROLLBACK of closing the session: the COMMIT expires nothing."""
    make_summit(SLUG, name="Readable")
    with app.app_context():
        summit = db.session.scalar(db.select(Summit).where(Summit.slug == SLUG))

    assert summit.name == "Readable"


def test_a_context_whose_flush_failed_is_rolled_back_quietly(app, make_summit, endings):
    """The database refused a row: the context still closes without an error."""
    from sqlalchemy.exc import IntegrityError

    make_summit(SLUG)
    endings.clear()
    with app.app_context():
        db.session.add(Summit(slug=SLUG, name="Same slug again"))
        with pytest.raises(IntegrityError):
            db.session.flush()

    assert endings == ["rollback"]
