"""The one place that reads the wall clock, so tests can move time."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
