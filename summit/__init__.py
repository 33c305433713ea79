"""Summit: the event system for the California Community Schools Summit."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from flask import Flask

from config import get_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, **overrides) -> Flask:
    from summit.core.pool import register_idle_ping
    from summit.core.transactions import register_transaction_endings

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(get_config(config_name))
    app.config.update(overrides)
    configure_logging(app)
    register_database(app)
    register_extensions(app)
    register_idle_ping(app)
    register_transaction_endings(app)  # after Flask-SQLAlchemy: its teardown runs first
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_templating(app)
    register_mail_after_request(app)
    register_commands(app)
    register_shell_context(app)
    return app


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_JSON"]:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])


def register_database(app: Flask) -> None:
    from summit.core.sqlite import configure_sqlite

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        configure_sqlite(app)


def register_extensions(app: Flask) -> None:
    from summit.core.auth import configure_login
    from summit.core.db import render_item
    from summit.core.i18n import select_locale
    from summit.extensions import api, babel, csrf, db, limiter, migrate

    db.init_app(app)
    is_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=is_sqlite,
        compare_type=True,
        render_item=render_item,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    api.init_app(app)
    configure_login(app)


def register_blueprints(app: Flask) -> None:
    from summit.accounts.api import blp as accounts_api
    from summit.accounts.routes import bp as accounts_bp
    from summit.agenda.routes import bp as agenda_bp
    from summit.checkin.api import blp as checkin_api
    from summit.checkin.routes import bp as checkin_bp
    from summit.checkin.staff import bp as checkin_staff_bp
    from summit.core.api import (
        register_api_blueprint,
        register_api_guard,
        register_security_schemes,
    )
    from summit.core.routes import bp as core_bp
    from summit.proposals.api import blp as proposals_api
    from summit.proposals.routes import bp as proposals_bp
    from summit.proposals.staff import bp as proposal_staff_bp
    from summit.registration.api import blp as registration_api
    from summit.registration.routes import bp as registration_bp
    from summit.registration.staff import bp as registration_staff_bp
    from summit.reports.api import blp as reports_api
    from summit.reports.certificate_routes import bp as certificates_bp
    from summit.reports.staff import bp as reports_bp
    from summit.reviews.api import blp as reviews_api
    from summit.reviews.routes import bp as reviews_bp
    from summit.reviews.staff import bp as review_staff_bp
    from summit.scheduling.api import blp as schedule_api
    from summit.scheduling.public import bp as programme_bp
    from summit.scheduling.routes import bp as scheduling_bp
    from summit.scheduling.staff import bp as scheduling_staff_bp
    from summit.summits.api import blp as summits_api
    from summit.summits.routes import bp as summits_bp

    register_security_schemes()
    register_api_guard(app)
    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    register_api_blueprint(app, accounts_api)
    register_api_blueprint(app, summits_api)
    register_api_blueprint(app, proposals_api)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(proposal_staff_bp)
    register_api_blueprint(app, reviews_api)
    register_api_blueprint(app, checkin_api)
    register_api_blueprint(app, schedule_api)
    register_api_blueprint(app, registration_api)
    register_api_blueprint(app, reports_api)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(review_staff_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(registration_staff_bp)
    app.register_blueprint(scheduling_bp)
    app.register_blueprint(scheduling_staff_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(checkin_staff_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(reports_bp)
    # The summit blueprint's `/<slug>/…` routes go last so fixed paths win.
    app.register_blueprint(summits_bp)


def register_error_handlers(app: Flask) -> None:
    from summit.core.errors import register_error_handlers as register

    register(app)


def register_security(app: Flask) -> None:
    from summit.core.security import register_security as register

    register(app)


def register_templating(app: Flask) -> None:
    from summit.core.templating import register_templating as register

    register(app)


def register_mail_after_request(app: Flask) -> None:
    """In development, deliver queued mail right after each response."""
    if not app.config["MAIL_SEND_AFTER_REQUEST"]:
        return
    from summit.core.outbox import deliver_pending

    @app.teardown_request
    def _deliver(_exc=None):
        try:
            deliver_pending(limit=20)
        except Exception:  # delivery problems must never break a page
            app.logger.exception("mail delivery after request failed")


def register_commands(app: Flask) -> None:
    from summit.accounts.cli import accounts_cli
    from summit.core.cli import mail_cli
    from summit.demo.cli import demo_cli
    from summit.proposals.cli import proposals_cli
    from summit.registration.cli import registration_cli
    from summit.reports.cli import reports_cli
    from summit.scheduling.cli import scheduling_cli
    from summit.summits.cli import summits_cli

    groups = (
        accounts_cli,
        summits_cli,
        proposals_cli,
        registration_cli,
        scheduling_cli,
        reports_cli,
    )
    for group in (*groups, mail_cli, demo_cli):
        app.cli.add_command(group)


def register_shell_context(app: Flask) -> None:
    def context():
        from summit import models
        from summit.extensions import db

        return {"db": db, "models": models}

    app.shell_context_processor(context)
