"""A scan's statement costs the same however many people are already in (PostgreSQL).

Each test counts the buffers PostgreSQL touches for the scan statement
(``EXPLAIN (ANALYZE, BUFFERS)``, rolled back) with few and with 2,000 check-ins
already recorded.

- The ticket's first check-in is found through the partial unique index. In a new
  database the planner has no statistics for the scans table and, given the
  chance, reads every live check-in of that index and filters them; a prepared
  statement then keeps that plan all day. Written as plain joins, the statement
  read 100 buffers instead of 26 here (and some 2,000 with 3,000 check-ins in the
  check-in benchmark's database); as a lateral look-up, 29.
- A session room with seats counts its live check-ins on every scan, through the
  same index: checkpoint first, that is a range of it.
"""

import secrets

import pytest
from sqlalchemy import event, insert, literal, select

from summit.checkin import services
from summit.checkin.models import Checkpoint, Scan
from summit.extensions import db
from summit.proposals.services import ensure_call
from summit.registration.models import Attendee
from tests.checkin.conftest import crowd
from tests.scheduling.builders import add_session

pytestmark = pytest.mark.postgres_only

SLUG = "2027"
SCAN = f"/api/v1/summits/{SLUG}/checkins"
PEOPLE = 2000
FEW = 10


def _setup(app) -> tuple[dict, str, str, list[str]]:
    """2,000 confirmed tickets, a door token, the entrance and a session room's codes."""
    with app.app_context():
        summit, _ticket, entrance, tokens, [secret] = crowd(people=PEOPLE, doors=1)
        ensure_call(summit)
        room = services.ensure_session_checkpoint(
            summit, add_session(summit, "Circle", audience=None), capacity=PEOPLE
        )
        codes = entrance.code, room.code
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}, *codes, tokens


def _scan(client, headers, checkpoint, token):
    body = {"token": token, "checkpoint": checkpoint, "scan_id": secrets.token_hex(8)}
    response = client.post(SCAN, json=body, headers=headers)
    assert response.status_code == 200, response.get_data()[:300]
    assert response.get_json()["result"] == "checked_in"


def _buffers_of_the_scan(app, client, headers, checkpoint, token) -> int:
    """Scan ``token``, then replay its statement under EXPLAIN and count the buffers."""
    seen = []

    def listen(_conn, _cursor, statement, parameters, _context, _many):
        if "first_scan" in statement:
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        _scan(client, headers, checkpoint, token)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert seen, "the scan read no first check-in"
    statement, parameters = seen[-1]
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
                [plan] = cursor.fetchone()[0]
        finally:
            connection.rollback()
            connection.close()
    top = plan["Plan"]
    return top["Shared Hit Blocks"] + top["Shared Read Blocks"]


def _check_in_directly(app, checkpoint: str, tokens: list[str]) -> int:
    """Everybody not in yet but the holders of ``tokens`` checked in at ``checkpoint``,
    in one INSERT ... SELECT; how many are in there now."""
    with app.app_context():
        point = db.session.scalar(select(Checkpoint).filter_by(code=checkpoint))
        waiting = [services.read_ticket(t).claim.code for t in tokens]
        rows = select(
            literal(point.summit_id), literal(point.id), Attendee.id,
            literal("checked_in"), db.func.concat("direct-", Attendee.code),
            Attendee.ticket_version, db.func.now(), db.func.now(),
        ).where(
            Attendee.summit_id == point.summit_id,
            Attendee.code.not_in(waiting),
            ~select(Scan.id)
            .where(Scan.attendee_id == Attendee.id, Scan.checkpoint_id == point.id)
            .exists(),
        )  # fmt: skip
        columns = ["summit_id", "checkpoint_id", "attendee_id", "result", "scan_id",
                   "ticket_version", "scanned_at", "received_at"]  # fmt: skip
        db.session.execute(insert(Scan).from_select(columns, rows))
        db.session.commit()
        return db.session.scalar(
            select(db.func.count()).where(
                Scan.checkpoint_id == point.id, Scan.result == "checked_in"
            )
        )


def _buffers_before_and_after(app, client, *, scan_at: str, crowd_at: str) -> tuple[int, int]:
    """Buffers of a scan at ``scan_at`` after 10 scans there, and again once everybody
    else (1,999 people) is checked in at ``crowd_at``."""
    headers, entrance, room, tokens = _setup(app)
    scan_at, crowd_at = ({"entrance": entrance, "room": room}[k] for k in (scan_at, crowd_at))
    for token in tokens[:FEW]:
        _scan(client, headers, scan_at, token)
    few = _buffers_of_the_scan(app, client, headers, scan_at, tokens[FEW])
    assert _check_in_directly(app, crowd_at, tokens[-1:]) == PEOPLE - 1
    many = _buffers_of_the_scan(app, client, headers, scan_at, tokens[-1])
    assert few > 0
    return few, many


def test_scan_statement_reads_the_same_whatever_the_number_of_check_ins(app, client):
    few, many = _buffers_before_and_after(app, client, scan_at="entrance", crowd_at="entrance")

    # An index probe may grow by a level; reading every check-in grows by hundreds.
    assert many <= few + 10, (few, many)


def test_session_room_head_count_reads_only_that_room(app, client):
    few, many = _buffers_before_and_after(app, client, scan_at="room", crowd_at="entrance")

    # Its own range: 32 and 33 buffers. Read through the whole index (ticket first): 39 and
    # 48, a leaf page more for every 250 or so people through the entrance.
    assert many <= few + 3, (few, many)
