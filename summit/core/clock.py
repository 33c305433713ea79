"""The one place that reads the wall clock, so tests can move time."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def from_local_input(value: datetime | None, tz: str) -> datetime | None:
    """A form's naive date-time, read in the summit's time zone, as an aware datetime."""
    from zoneinfo import ZoneInfo

    return value.replace(tzinfo=ZoneInfo(tz)) if value else None


def to_local_input(value: datetime | None, tz: str) -> datetime | None:
    """An aware datetime as the naive local date-time a form field shows."""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if value else None
