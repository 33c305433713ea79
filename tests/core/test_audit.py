from datetime import UTC, date, datetime

from summit.core.audit import AuditEntry, record, snapshot
from summit.extensions import db


class _Thing:
    name = "Hall"
    starts_on = date(2027, 9, 23)
    opens_at = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    tags = ("a", date(2027, 1, 2))


def test_snapshot_turns_dates_into_iso_strings():
    values = snapshot(_Thing(), ("name", "starts_on", "opens_at", "tags"))

    assert values == {
        "name": "Hall",
        "starts_on": "2027-09-23",
        "opens_at": "2027-01-01T09:00:00+00:00",
        "tags": ["a", "2027-01-02"],
    }


def test_audit_entry_changes_lists_only_changed_fields():
    entry = AuditEntry(before={"a": 1, "b": 2, "c": None}, after={"a": 1, "b": 3, "d": 4})

    assert entry.changes == [("b", 2, 3), ("d", None, 4)]


def test_record_adds_an_entry_without_committing(ctx):
    at = datetime(2027, 3, 1, tzinfo=UTC)

    entry = record(
        "thing.update",
        actor=None,
        object_type="thing",
        object_id=7,
        label="x" * 300,
        before={"when": date(2027, 1, 1)},
        after={"when": date(2027, 1, 2)},
        at=at,
    )
    db.session.flush()

    assert entry in db.session
    assert (entry.object_id, len(entry.object_label), entry.created_at) == ("7", 200, at)
    assert entry.changes == [("when", "2027-01-01", "2027-01-02")]
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id) is None
