"""Warm a fresh worker before it takes traffic.

A new process pays once for work that has nothing to do with any one request:
SQLAlchemy configures its mappers, Jinja compiles templates, Babel loads locale data
and translations, SQLAlchemy compiles each statement the first time it runs, and
PostgreSQL plans it on each of its first runs on the connection. Done
on the first visitor's request that costs several hundred milliseconds; done here, in
gunicorn's ``post_worker_init`` hook (see gunicorn.conf.py), it costs the worker a
second or two at boot instead. Nothing is cached beyond what the libraries keep for
themselves: every request still reads the database and renders its page.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.orm import configure_mappers

log = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt", ".css")
# Each page's statements run this many times per language. PostgreSQL plans a statement
# anew on every run until psycopg has prepared it (after 5 runs) and the server has
# settled on a generic plan (5 runs after that); only then does a session page take
# its steady 5 ms instead of 7 to 8.
ROUNDS = 6


def warm_up(app: Flask) -> dict[str, int]:
    """Compile every template and run the public programme pages once. Never raises: a
    worker that cannot warm up (no database yet, say) still starts, only colder."""
    done: dict[str, int] = {}
    try:
        configure_mappers()
        names = app.jinja_env.list_templates(filter_func=lambda n: n.endswith(TEMPLATE_SUFFIXES))
        for name in names:
            app.jinja_env.get_template(name)
        done["templates"] = len(names)
        client = app.test_client()
        paths = _public_paths(app)
        for _ in range(ROUNDS):
            for path in paths:
                for language in app.config["LANGUAGES"]:  # each language's catalogue too
                    response = client.get(path, headers={"Accept-Language": language})
                    done[path] = response.status_code
    except Exception:  # a cold worker beats one that will not start
        log.warning("warm-up stopped early", exc_info=True)
    return done


def _public_paths(app: Flask) -> list[str]:
    from summit.extensions import db
    from summit.scheduling import programme
    from summit.summits.queries import get_current_summit

    with app.app_context():
        try:
            summit = get_current_summit()
            if summit is None:
                return ["/"]
            paths = [f"/{summit.slug}/", f"/{summit.slug}/programme"]
            version = programme.get_latest_version(summit)
            if version is not None:
                first = next(iter(programme.list_released(summit, version=version)), None)
                if first is not None:
                    paths.append(f"/{summit.slug}/programme/sessions/{first.code}")
                paths.append(f"/{summit.slug}/programme.ics")
            return paths
        finally:
            db.session.remove()
