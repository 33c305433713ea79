from sqlalchemy import func, select

from summit.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from summit.extensions import db


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def test_demo_seed_prints_the_summit_and_the_demo_logins(runner):
    result = runner.invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    assert "Demo summit: Community Schools Summit 2027 (/2027/)" in result.output
    assert f"(password: {DEMO_PASSWORD})" in result.output
    for account in DEMO_ACCOUNTS:
        assert account.email in result.output
    assert "site admin" in result.output


def test_demo_seed_twice_gives_the_same_counts_and_output(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    counts = _row_counts(app)

    second = runner.invoke(args=["demo", "seed"])

    assert second.exit_code == 0, second.output
    assert second.output == first.output
    assert _row_counts(app) == counts
    assert counts["users"] >= len(DEMO_ACCOUNTS)
