"""Worker warm-up: templates compiled and the public pages run once, never an error."""

from __future__ import annotations

from summit.core.warmup import warm_up
from tests.agenda.conftest import make_released
from tests.scheduling.conftest import SLUG


def test_warm_up_without_a_summit_compiles_templates_and_visits_the_home_page(app):
    done = warm_up(app)

    assert done["templates"] > 50
    assert done["/"] == 200
    assert "programme/session.html" in str(list(app.jinja_env.cache.keys()))


def test_warm_up_with_a_release_runs_programme_session_and_calendar(app, make_summit):
    make_summit(SLUG)
    make_released(app)

    done = warm_up(app)

    paths = {p: s for p, s in done.items() if p.startswith("/")}
    assert paths[f"/{SLUG}/programme"] == 200
    assert paths[f"/{SLUG}/programme.ics"] == 200
    assert any("/programme/sessions/" in p and s == 200 for p, s in paths.items())


def test_warm_up_survives_a_broken_database(make_app):
    broken = make_app(SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent/dir/db.sqlite")

    done = warm_up(broken)

    assert done["templates"] > 50  # templates still compiled; the pages were skipped
    assert not any(p.startswith("/2027") for p in done)
