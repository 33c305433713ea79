"""The check-in API as a scanner uses it: a door user's personal API token, JSON in and out."""

import base64
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, update

from summit.accounts.models import ApiToken, User
from summit.accounts.queries import get_user_by_email
from summit.accounts.services import create_api_token
from summit.checkin import services
from summit.checkin.models import Checkpoint, Scan
from summit.core import auth
from summit.extensions import db
from summit.registration import services as registration
from summit.registration import tickets
from summit.registration.models import Attendee, SummitKey
from summit.summits.models import SummitRole
from tests.checkin.conftest import NOW, book, token_of
from tests.registration.conftest import make_registration_summit

SLUG = "2027"
SCAN = f"/api/v1/summits/{SLUG}/checkins"
BATCH = f"/api/v1/summits/{SLUG}/checkins/batch"
ROSTER = f"/api/v1/summits/{SLUG}/checkin/roster"
REVOCATIONS = f"/api/v1/summits/{SLUG}/checkin/revocations"
CHECKPOINTS = f"/api/v1/summits/{SLUG}/checkpoints"
DOOR_NAME = "Dana Door"


@dataclass
class Desk:
    """What a door scanner holds: its token, the checkpoint codes and some tickets."""

    headers: dict
    entrance: str
    next_day: str
    tokens: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    email: str = ""  # the door user's


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def _issue(app, email: str) -> str:
    with app.app_context():
        issued = create_api_token(get_user_by_email(email), "scanner")
        db.session.commit()
    return issued.secret


def _person(n, **extra):
    return {"name": f"Person {n}", "email": f"p{n}@example.org", **extra}


@pytest.fixture
def desk(app, make_user) -> Desk:
    """Summit 2027 with its entrances, a door user's token and tickets in every state."""
    with app.app_context():
        summit, ticket = make_registration_summit(capacity=10)
        first, second = services.ensure_entrances(summit)
        ok, again, minor = book(
            summit, ticket, _person(1, accommodations=["asl"], media_consent=True), _person(2),
            _person(3, email=None, age_band="13_17", guardian_name="Gale Guardian",
                    guardian_email="guardian@example.org"),
        ).attendees  # fmt: skip
        [cancelled] = book(summit, ticket, _person(4), contact="c@example.org").attendees
        [reissued] = book(summit, ticket, _person(5), contact="r@example.org").attendees
        [pending] = book(
            summit, ticket, _person(6), confirm=False, contact="w@example.org"
        ).attendees
        tokens = {
            "ok": token_of(summit, ok),
            "again": token_of(summit, again),
            "minor": token_of(summit, minor),
            "cancelled": token_of(summit, cancelled),
            "old": token_of(summit, reissued),
            "pending": token_of(summit, pending),
            "other_summit": tickets.sign_ticket(
                tickets.new_private_key(), summit="2028", code="ABCDE", version=1
            ),
        }
        registration.cancel_attendee(cancelled, at=NOW)
        registration.reissue_ticket(reissued, actor=None, summit=summit)
        tokens["new"] = token_of(summit, reissued)
        codes = {
            "ok": ok.code,
            "again": again.code,
            "household": ok.booking.code,
            "minor": minor.code,
            "cancelled": cancelled.code,
            "reissued": reissued.code,
            "pending": pending.code,
        }
        entrance, next_day = first.code, second.code
        db.session.commit()
    email = make_user(name=DOOR_NAME, roles=("door",), slug=SLUG)
    return Desk(_bearer(_issue(app, email)), entrance, next_day, tokens, codes, email)


def _scan(client, desk, token, scan_id, **extra):
    body = {"token": token, "checkpoint": desk.entrance, "scan_id": scan_id, **extra}
    return client.post(SCAN, json=body, headers=desk.headers)


def _scans_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Scan.id)))


# --- one scan -------------------------------------------------------------------------


def test_post_checkin_confirmed_ticket_checks_in_with_registration(client, desk):
    response = _scan(client, desk, desk.tokens["ok"], "s-1", device="North door")

    assert response.status_code == 200
    body = response.get_json()
    assert (body["result"], body["colour"], body["scan_id"]) == ("checked_in", "green", "s-1")
    assert body["message"] == "Checked in" and body["advice"] == "Welcome them in."
    assert (body["replayed"], body["over_capacity"], body["clock_skewed"]) == (False, False, False)
    assert body["registration"] == {
        "code": desk.codes["ok"],
        "name": "Person 1",
        "ticket_type": "family",
        "flags": ["asl"],
        "household": desk.codes["household"],
    }
    assert body["first_check_in"] is None


def test_post_checkin_second_scan_says_already_checked_in_with_the_first(client, desk):
    scanned_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    _scan(client, desk, desk.tokens["ok"], "s-1", device="North door",
          scanned_at=scanned_at.isoformat())  # fmt: skip

    response = _scan(client, desk, desk.tokens["ok"], "s-2", device="South door")

    body = response.get_json()
    assert (body["result"], body["colour"]) == ("already_checked_in", "amber")
    assert body["registration"]["code"] == desk.codes["ok"]
    first = body["first_check_in"]
    assert datetime.fromisoformat(first["at"]) == scanned_at
    assert first == {
        "at": first["at"],
        "checkpoint": "Entrance 2027-09-23",
        "device": "North door",
        "by": DOOR_NAME,
    }


def test_post_checkin_next_day_entrance_checks_in_again(client, desk):
    _scan(client, desk, desk.tokens["ok"], "s-1")

    response = client.post(
        SCAN,
        json={"token": desk.tokens["ok"], "checkpoint": desk.next_day, "scan_id": "s-2"},
        headers=desk.headers,
    )

    assert response.get_json()["result"] == "checked_in"


@pytest.mark.parametrize(
    ("ticket", "result", "message"),
    [
        ("cancelled", "cancelled", "Ticket cancelled"),
        ("old", "revoked", "Old ticket: it was reissued"),
        ("pending", "not_confirmed", "Not confirmed yet"),
        ("other_summit", "wrong_summit", "Ticket for another summit"),
    ],
)
def test_post_checkin_refused_ticket_is_red_without_the_person(
    app, client, desk, ticket, result, message
):
    response = _scan(client, desk, desk.tokens[ticket], "s-1")

    body = response.get_json()
    assert response.status_code == 200
    assert (body["result"], body["colour"], body["message"]) == (result, "red", message)
    assert body["registration"] is None and body["first_check_in"] is None
    assert _scans_count(app) == 1  # refused scans are kept too


def test_post_checkin_reissued_ticket_new_version_checks_in(client, desk):
    assert _scan(client, desk, desk.tokens["new"], "s-1").get_json()["result"] == "checked_in"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "hello world",
        "SM1",
        "SM1" + "A" * 3990,
        "SM1" + "7" * 120,
        "SM1!!!!====",
        "sm1" + "a" * 130,
        "\x01SM1\u202e\x7f",
        "https://example.org/?q=" + "x" * 500,
        "🎟️" * 200,
    ],
)
def test_post_checkin_garbage_or_long_token_is_invalid_never_an_error(app, client, desk, token):
    response = _scan(client, desk, token, "s-1", device="Door\u0007")

    body = response.get_json()
    assert response.status_code == 200
    assert (body["result"], body["colour"], body["registration"]) == ("invalid", "red", None)
    assert _scans_count(app) == 1


def test_post_checkin_nul_byte_answers_400_before_anything_is_stored(app, client, desk):
    response = _scan(client, desk, "SM1\x00AAAA", "s-1")

    assert response.status_code == 400 and _error(response)["code"] == "bad_request"
    assert _scans_count(app) == 0


def test_post_checkin_tampered_signature_is_invalid(client, desk):
    token = desk.tokens["ok"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    assert _scan(client, desk, tampered, "s-1").get_json()["result"] == "invalid"


def test_post_checkin_token_beyond_the_schema_limit_is_refused_with_field(client, desk):
    response = _scan(client, desk, "SM1" + "A" * 5000, "s-1")

    assert response.status_code == 422
    assert "token" in _error(response)["fields"]


def test_post_checkin_repeated_scan_id_returns_the_original_answer(app, client, desk):
    original = _scan(client, desk, desk.tokens["ok"], "s-1").get_json()

    retry = _scan(client, desk, desk.tokens["ok"], "s-1").get_json()

    assert retry["replayed"] is True
    assert {k: v for k, v in retry.items() if k != "replayed"} == {
        k: v for k, v in original.items() if k != "replayed"
    }
    assert _scans_count(app) == 1


def test_post_checkin_repeated_scan_id_of_a_repeat_keeps_its_first_check_in(client, desk):
    _scan(client, desk, desk.tokens["ok"], "s-1", device="North door")
    repeat = _scan(client, desk, desk.tokens["ok"], "s-2").get_json()

    retry = _scan(client, desk, desk.tokens["ok"], "s-2").get_json()

    assert (retry["result"], retry["replayed"]) == ("already_checked_in", True)
    assert retry["first_check_in"] == repeat["first_check_in"]


def test_post_checkin_scanned_in_the_future_is_accepted_and_flagged(client, desk):
    ahead = datetime.now(UTC) + timedelta(hours=2)

    body = _scan(client, desk, desk.tokens["ok"], "s-1", scanned_at=ahead.isoformat()).get_json()

    assert (body["result"], body["clock_skewed"]) == ("checked_in", True)


def test_post_checkin_after_a_skewed_scan_reports_when_it_arrived(client, desk):
    ahead = datetime.now(UTC) + timedelta(hours=2)
    _scan(client, desk, desk.tokens["ok"], "s-1", scanned_at=ahead.isoformat())

    first = _scan(client, desk, desk.tokens["ok"], "s-2").get_json()["first_check_in"]

    assert datetime.fromisoformat(first["at"]) < ahead - timedelta(hours=1)


def test_post_checkin_unknown_checkpoint_is_refused_with_field(app, client, desk):
    response = client.post(
        SCAN,
        json={"token": desk.tokens["ok"], "checkpoint": "NOPE42", "scan_id": "s-1"},
        headers=desk.headers,
    )

    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid" and error["fields"]["checkpoint"] == ["Unknown checkpoint."]
    assert _scans_count(app) == 0


def test_post_checkin_unprintable_scan_id_is_refused_with_field(client, desk):
    response = _scan(client, desk, desk.tokens["ok"], "bad\nid")

    assert response.status_code == 400
    assert "scan_id" in _error(response)["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": "x", "checkpoint": "A", "scan_id": "s", "admit": True}, "admit"),
        ({"checkpoint": "A", "scan_id": "s"}, "token"),
        ({"token": "x", "checkpoint": "A", "scan_id": "s", "scanned_at": "yesterday"},
         "scanned_at"),
        ({"token": "x", "checkpoint": "A", "scan_id": "s", "scanned_at": "2027-09-23T09:00"},
         "scanned_at"),
    ],
)  # fmt: skip
def test_post_checkin_unknown_or_bad_fields_answer_422_with_field(client, desk, body, field):
    response = client.post(SCAN, json=body, headers=desk.headers)

    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid" and field in error["fields"]


# --- who may scan ---------------------------------------------------------------------


def test_post_checkin_not_door_staff_answers_403_with_the_error_shape(app, client, desk, make_user):
    outsider = _bearer(_issue(app, make_user(roles=("reviewer",), slug=SLUG)))

    response = client.post(
        SCAN,
        json={"token": desk.tokens["ok"], "checkpoint": desk.entrance, "scan_id": "s-1"},
        headers=outsider,
    )

    assert response.status_code == 403
    error = _error(response)
    assert error["code"] == "not_door_staff" and "door staff" in error["message"]
    assert _scans_count(app) == 0


@pytest.mark.parametrize(
    "path", [ROSTER, REVOCATIONS, CHECKPOINTS], ids=["roster", "revocations", "checkpoints"]
)
def test_get_door_lists_not_door_staff_answers_403(app, client, desk, make_user, path):
    outsider = _bearer(_issue(app, make_user()))

    response = client.get(path, headers=outsider)

    assert response.status_code == 403 and _error(response)["code"] == "not_door_staff"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer smt_not-a-real-token"}])
def test_post_checkin_anonymous_answers_401_json(app, client, desk, headers):
    response = client.post(
        SCAN,
        json={"token": desk.tokens["ok"], "checkpoint": desk.entrance, "scan_id": "s-1"},
        headers=headers,
    )

    assert response.status_code == 401
    assert _error(response)["code"] == "unauthorized"
    assert _scans_count(app) == 0


def test_post_checkin_unknown_summit_answers_404(client, desk):
    response = client.post(
        "/api/v1/summits/1999/checkins",
        json={"token": desk.tokens["ok"], "checkpoint": desk.entrance, "scan_id": "s-1"},
        headers=desk.headers,
    )

    assert response.status_code == 404 and _error(response)["code"] == "summit_not_found"


def test_post_checkin_session_login_needs_no_token_but_the_door_role(
    client, desk, login_as, make_user
):
    login_as("door")

    response = client.post(
        SCAN, json={"token": desk.tokens["ok"], "checkpoint": desk.entrance, "scan_id": "s-1"}
    )

    assert response.get_json()["result"] == "checked_in"


# --- batches from offline devices -----------------------------------------------------


def _offline(desk, *pairs):
    at = datetime.now(UTC) - timedelta(minutes=30)
    return [
        {
            "token": desk.tokens[ticket],
            "checkpoint": desk.entrance,
            "scan_id": scan_id,
            "scanned_at": (at + timedelta(seconds=n)).isoformat(),
            "device": "Phone 2",
            "offline": True,
        }
        for n, (ticket, scan_id) in enumerate(pairs)
    ]


def test_post_batch_records_each_scan_in_order(app, client, desk):
    scans = _offline(desk, ("ok", "o-1"), ("minor", "o-2"), ("ok", "o-3"), ("pending", "o-4"))

    response = client.post(BATCH, json={"scans": scans}, headers=desk.headers)

    body = response.get_json()
    assert response.status_code == 200 and body["next"] is None
    assert [(i["scan_id"], i["result"]) for i in body["items"]] == [
        ("o-1", "checked_in"),
        ("o-2", "checked_in"),
        ("o-3", "already_checked_in"),
        ("o-4", "not_confirmed"),
    ]
    assert body["items"][2]["first_check_in"]["device"] == "Phone 2"
    with app.app_context():
        assert all(s.was_offline for s in db.session.scalars(db.select(Scan)))


def test_post_batch_cut_halfway_and_sent_again_records_no_duplicates(app, client, desk):
    scans = _offline(
        desk, ("ok", "o-1"), ("again", "o-2"), ("minor", "o-3"), ("ok", "o-4"), ("new", "o-5")
    )
    client.post(BATCH, json={"scans": scans[:2]}, headers=desk.headers)  # the upload broke here

    response = client.post(BATCH, json={"scans": scans}, headers=desk.headers)

    items = response.get_json()["items"]
    assert [(i["result"], i["replayed"]) for i in items] == [
        ("checked_in", True),
        ("checked_in", True),
        ("checked_in", False),
        ("already_checked_in", False),
        ("checked_in", False),
    ]
    assert _scans_count(app) == 5
    again = client.post(BATCH, json={"scans": scans}, headers=desk.headers).get_json()["items"]
    assert [i["replayed"] for i in again] == [True] * 5
    assert [i["result"] for i in again] == [i["result"] for i in items]
    assert _scans_count(app) == 5


def test_post_batch_bad_item_gets_an_error_item_and_the_others_are_recorded(app, client, desk):
    scans = _offline(desk, ("ok", "o-1"), ("minor", "o-2"), ("new", "o-3"))
    scans[1]["checkpoint"] = "GONE99"

    response = client.post(BATCH, json={"scans": scans}, headers=desk.headers)

    items = response.get_json()["items"]
    assert [(i["scan_id"], i["result"]) for i in items] == [
        ("o-1", "checked_in"),
        ("o-2", "invalid"),
        ("o-3", "checked_in"),
    ]
    assert items[1]["message"] == "The scan could not be read." and items[1]["colour"] == "red"
    assert _scans_count(app) == 2


def test_post_batch_unknown_field_in_an_item_answers_422(app, client, desk):
    scans = _offline(desk, ("ok", "o-1"))
    scans[0]["override"] = True

    response = client.post(BATCH, json={"scans": scans}, headers=desk.headers)

    fields = _error(response)["fields"]
    assert response.status_code == 422
    assert any(name == "scans" or name.startswith("scans.") for name in fields)  # e.g. scans.0
    assert _scans_count(app) == 0


def test_post_batch_empty_answers_422(client, desk):
    response = client.post(BATCH, json={"scans": []}, headers=desk.headers)

    assert response.status_code == 422 and "scans" in _error(response)["fields"]


# --- what an offline scanner downloads ------------------------------------------------


def test_get_checkpoints_lists_the_entrances(client, desk):
    response = client.get(CHECKPOINTS, headers=desk.headers)

    body = response.get_json()
    assert [(c["code"], c["kind"], c["day"]) for c in body["items"]] == [
        (desk.entrance, "entrance", "2027-09-23"),
        (desk.next_day, "entrance", "2027-09-24"),
    ]
    assert body["next"] is None


def test_get_roster_lists_current_tickets_without_emails_or_guardians(app, client, desk):
    response = client.get(ROSTER, headers=desk.headers)

    body = response.get_json()
    assert response.status_code == 200 and body["summit"] == SLUG
    with app.app_context():
        key = db.session.scalars(db.select(SummitKey.public_key)).one()
    assert base64.b64decode(body["public_key"]) == key
    by_code = {r["code"]: r for r in body["items"]}
    assert set(by_code) == {desk.codes[k] for k in ("ok", "again", "minor", "reissued")}
    assert by_code[desk.codes["reissued"]]["version"] == 2
    assert "minor" in by_code[desk.codes["minor"]]["flags"]
    assert all(
        set(r) == {"code", "version", "name", "ticket_type", "flags", "household"}
        for r in body["items"]
    )
    text = response.get_data(as_text=True)
    assert "@" not in text and "Gale Guardian" not in text and "Contact" not in text


def test_get_roster_answers_304_for_the_same_etag_and_200_after_a_change(app, client, desk):
    first = client.get(ROSTER, headers=desk.headers)
    etag = first.headers["ETag"]

    same = client.get(ROSTER, headers={**desk.headers, "If-None-Match": etag})
    with app.app_context():
        registration.cancel_attendee(
            db.session.scalars(db.select(Attendee).filter_by(code=desk.codes["minor"])).one(),
            at=NOW,
        )
        db.session.commit()
    changed = client.get(ROSTER, headers={**desk.headers, "If-None-Match": etag})

    assert etag and first.status_code == 200
    assert (same.status_code, same.get_data(), same.headers["ETag"]) == (304, b"", etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert desk.codes["minor"] not in {r["code"] for r in changed.get_json()["items"]}


def test_get_revocations_lists_reissued_cancelled_and_unconfirmed(client, desk):
    response = client.get(REVOCATIONS, headers=desk.headers)

    assert response.get_json() == {
        "current_versions": {desk.codes["reissued"]: 2},
        "cancelled": [desk.codes["cancelled"]],
        "not_confirmed": [desk.codes["pending"]],
    }
    etag = response.headers["ETag"]
    again = client.get(REVOCATIONS, headers={**desk.headers, "If-None-Match": etag})
    assert (again.status_code, again.get_data()) == (304, b"")


# --- documentation --------------------------------------------------------------------


def test_openapi_document_lists_the_check_in_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    for path in (
        "/api/v1/summits/{slug}/checkins",
        "/api/v1/summits/{slug}/checkins/batch",
        "/api/v1/summits/{slug}/checkpoints",
        "/api/v1/summits/{slug}/checkin/roster",
        "/api/v1/summits/{slug}/checkin/revocations",
    ):
        assert path in paths
    assert set(paths["/api/v1/summits/{slug}/checkins"]) >= {"post"}
    assert "403" in paths["/api/v1/summits/{slug}/checkins"]["post"]["responses"]


# --- rate limit -------------------------------------------------------------------------


def test_post_checkin_beyond_the_limit_answers_429_per_scanner(app, make_app, make_user, desk):
    limited = make_app(RATELIMIT_ENABLED=True, SCAN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    other = _bearer(_issue(app, make_user(roles=("door",), slug=SLUG)))
    body = {"token": "garbage", "checkpoint": desk.entrance}

    statuses = [
        client.post(SCAN, json=body | {"scan_id": f"r-{n}"}, headers=desk.headers).status_code
        for n in range(3)
    ]
    blocked = client.post(SCAN, json=body | {"scan_id": "r-4"}, headers=desk.headers)
    another_phone = client.post(SCAN, json=body | {"scan_id": "r-5"}, headers=other)

    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429 and _error(blocked)["code"]
    assert another_phone.status_code == 200  # same address, another scanner


# --- the bearer token on the scan path ---------------------------------------------------
#
# The scan view re-checks the token, the account and the role in its own first statement,
# so the loader hands it the identity it resolved a moment ago instead of reading the
# token again. Changes below are made with plain UPDATE/DELETE statements, as another
# worker process would make them: nothing in this process is told.


@contextmanager
def _statements(app):
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's own BEGIN IMMEDIATE
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def _change(app, statement) -> None:
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def test_post_checkin_after_the_first_scan_is_one_statement_on_postgresql(
    app, client, desk, is_postgres
):
    _scan(client, desk, desk.tokens["ok"], "s-1")

    with _statements(app) as seen:
        body = _scan(client, desk, desk.tokens["again"], "s-2").get_json()

    assert body["result"] == "checked_in"
    if is_postgres:  # the door, the ticket and the insert together
        assert len(seen) == 1 and seen[0].startswith("WITH door AS"), seen
    else:  # the door with the ticket, then the insert
        assert len(seen) == 2 and seen[1].startswith("INSERT INTO scans"), seen


def test_post_checkin_revoked_token_is_refused_at_the_next_scan(app, client, desk):
    assert _scan(client, desk, desk.tokens["ok"], "s-1").status_code == 200
    _change(app, update(ApiToken).values(revoked_at=datetime.now(UTC)))

    response = _scan(client, desk, desk.tokens["again"], "s-2")

    assert response.status_code == 401 and _error(response)["code"] == "unauthorized"
    assert _scans_count(app) == 1


def test_post_checkin_deactivated_account_is_refused_at_the_next_scan(app, client, desk):
    assert _scan(client, desk, desk.tokens["ok"], "s-1").status_code == 200
    _change(app, update(User).where(User.email == desk.email).values(is_active_account=False))

    assert _scan(client, desk, desk.tokens["again"], "s-2").status_code == 401
    assert _scans_count(app) == 1


def test_post_checkin_removed_door_role_is_refused_at_the_next_scan(app, client, desk):
    assert _scan(client, desk, desk.tokens["ok"], "s-1").status_code == 200
    _change(app, delete(SummitRole))

    response = _scan(client, desk, desk.tokens["again"], "s-2")

    assert response.status_code == 403 and _error(response)["code"] == "not_door_staff"
    assert _scans_count(app) == 1


def test_post_checkin_site_admin_without_a_role_scans_until_no_longer_admin(
    app, client, desk, make_user
):
    admin = _bearer(_issue(app, make_user(admin=True)))
    body = {"token": desk.tokens["ok"], "checkpoint": desk.entrance}
    assert client.post(SCAN, json=body | {"scan_id": "s-1"}, headers=admin).status_code == 200
    _change(app, update(User).where(User.is_admin.is_(True)).values(is_admin=False))

    response = client.post(SCAN, json=body | {"scan_id": "s-2"}, headers=admin)

    assert response.status_code == 403


def test_revoked_token_remembered_by_the_scan_path_is_refused_by_other_endpoints(app, client, desk):
    assert _scan(client, desk, desk.tokens["ok"], "s-1").status_code == 200
    assert client.get("/api/v1/me", headers=desk.headers).status_code == 200
    _change(app, update(ApiToken).values(revoked_at=datetime.now(UTC)))

    assert client.get("/api/v1/me", headers=desk.headers).status_code == 401


def test_post_checkin_reads_the_token_again_after_the_bound_and_notes_its_use(
    app, client, desk, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(auth, "_clock", lambda: clock[0])
    _scan(client, desk, desk.tokens["ok"], "s-1")
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    _change(app, update(ApiToken).values(last_used_at=long_ago))

    _scan(client, desk, desk.tokens["again"], "s-2")  # remembered: the token is not read
    remembered = _last_used(app)
    clock[0] += auth.BEARER_IDENTITY_SECONDS
    _scan(client, desk, desk.tokens["minor"], "s-3")  # past the bound: read and noted again

    assert remembered == long_ago
    assert _last_used(app) > long_ago


def _last_used(app) -> datetime:
    with app.app_context():
        return db.session.scalar(db.select(ApiToken.last_used_at))


def _remembered_key(app, key: bytes) -> None:
    memory = app.extensions.get("checkin_scan_memory")
    if memory is not None:  # PostgreSQL remembers; SQLite takes the two-statement path
        memory["keys"][SLUG] = key


def test_post_checkin_with_a_stale_remembered_key_still_reads_the_real_one(app, client, desk):
    _scan(client, desk, desk.tokens["ok"], "s-1")
    stale = tickets.new_private_key()
    _remembered_key(app, tickets.public_key_for(stale))

    body = _scan(client, desk, desk.tokens["again"], "s-2").get_json()

    assert body["result"] == "checked_in"


def test_post_checkin_ticket_signed_by_a_stale_remembered_key_is_not_admitted(app, client, desk):
    _scan(client, desk, desk.tokens["ok"], "s-1")
    stale = tickets.new_private_key()
    _remembered_key(app, tickets.public_key_for(stale))
    forged = tickets.sign_ticket(stale, summit=SLUG, code=desk.codes["again"], version=1)

    body = _scan(client, desk, forged, "s-2").get_json()

    assert (body["result"], body["registration"]) == ("invalid", None)
    with app.app_context():
        assert db.session.scalar(db.select(Scan.attendee_id).filter_by(scan_id="s-2")) is None


def test_post_checkin_at_a_checkpoint_closed_since_the_last_scan_is_refused(app, client, desk):
    assert _scan(client, desk, desk.tokens["ok"], "s-1").status_code == 200
    _change(app, update(Checkpoint).values(is_active=False))

    response = _scan(client, desk, desk.tokens["again"], "s-2")

    assert response.status_code == 400
    assert _error(response)["fields"]["checkpoint"] == ["Unknown checkpoint."]
    assert _scans_count(app) == 1
