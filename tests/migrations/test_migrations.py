"""Migrations: one head, upgrade from an empty database, no drift, clean downgrade.

Runs against a brand-new database of the kind under test (a SQLite file, or a
PostgreSQL database created for the test), never the shared test schema.
"""

from __future__ import annotations

import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from summit import ROOT, create_app
from summit.extensions import db


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    import psycopg

    base, _, current = database_url.rpartition("/")
    admin_url = f"{base}/{current}".replace("postgresql+psycopg://", "postgresql://")
    name = f"summit_migr_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migration_app(empty_database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _script() -> ScriptDirectory:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


def test_migrations_history_has_a_single_head():
    heads = _script().get_heads()

    assert len(heads) == 1, f"several heads: {heads}"


def test_upgrade_on_empty_database_matches_models_without_drift(migration_app):
    with migration_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())

    assert diff == []
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_downgrade_to_base_then_upgrade_again_works(migration_app):
    with migration_app.app_context():
        upgrade()
        downgrade(revision="base")
        with db.engine.connect() as connection:
            after_downgrade = set(inspect(connection).get_table_names()) - {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            after_upgrade = set(inspect(connection).get_table_names())

    assert after_downgrade == set()
    assert "users" in after_upgrade
