"""The door scanner page, its service worker, the vendored decoder, undo and typed codes."""

import json
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from summit.checkin import queries, services
from summit.checkin.enums import FLAG_LABELS, RESULT_LABELS, ScanResult
from summit.checkin.models import Scan
from summit.extensions import db
from summit.registration import services as registration
from summit.summits.queries import get_summit_by_slug
from tests.checkin.conftest import NOW, book
from tests.conftest import PASSWORD

DOOR = "/2027/door"


def _seed(app) -> dict:
    """A confirmed attendee of summit 2027 (created by login_as), with its token."""
    with app.app_context():
        summit = get_summit_by_slug("2027")
        summit.registration_opens_at = NOW - timedelta(days=10)
        summit.registration_closes_at = NOW + timedelta(days=100)
        ticket = registration.save_ticket_type(
            summit, actor=None, code="family", name_en="Family member", name_es="Familia",
            capacity=5,
        )  # fmt: skip
        booking = book(summit, ticket, {"name": "Rosa Pérez", "email": "rosa@example.org"})
        [attendee] = booking.attendees
        entrance = services.ensure_entrances(summit)[0]
        token = registration.ticket_token(summit, attendee)
        db.session.commit()
        return {"code": attendee.code, "token": token, "checkpoint": entrance.code}


def _scan(app, token, checkpoint, scan_id="phone-1"):
    with app.app_context():
        summit = get_summit_by_slug("2027")
        outcome = services.record_scan(
            summit,
            token=token,
            checkpoint=queries.get_checkpoint(summit, checkpoint),
            scan_id=scan_id,
            actor=None,
        )
        db.session.commit()
        return outcome.result.value


def _live_check_ins(app) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count(Scan.id)).where(
                Scan.result == "checked_in", Scan.annulled_at.is_(None)
            )
        )


@pytest.mark.parametrize("role", ["door", "staff"])
def test_scanner_page_for_door_and_staff_renders_checkpoints_and_manual_entry(
    client, login_as, role
):
    login_as(role)

    response = client.get(DOOR)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Type the ticket code" in html
    assert html.count('<option value="') == 2  # an entrance per summit day
    assert 'id="door-config"' in html and 'type="application/json"' in html
    assert 'id="door-result"' in html and 'role="alert"' in html


def test_scanner_page_for_admin_without_role_is_allowed(client, login_as):
    login_as(admin=True)

    assert client.get(DOOR).status_code == 200


def test_scanner_page_for_reviewer_is_forbidden(client, login_as):
    login_as("reviewer")

    response = client.get(DOOR)

    assert response.status_code == 403
    assert "Type the ticket code" not in response.get_data(as_text=True)


def test_scanner_page_for_anonymous_redirects_to_login(client, make_summit):
    make_summit()

    response = client.get(DOOR)

    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_scanner_page_in_spanish_passes_labels_from_enums_to_the_script(client, login_as):
    login_as("door")
    client.post("/lang", data={"lang": "es", "next": DOOR})

    html = client.get(DOOR).get_data(as_text=True)

    config = json.loads(re.search(r'id="door-config">(.*?)</script>', html, re.S).group(1))
    with client.application.test_request_context(), force_locale("es"):
        expected = str(RESULT_LABELS[ScanResult.ALREADY_CHECKED_IN])
        flag = str(FLAG_LABELS["wheelchair"])
    assert '<html lang="es">' in html
    assert config["locale"] == "es"
    assert config["results"]["already_checked_in"] == {
        "label": expected,
        "advice": config["results"]["already_checked_in"]["advice"],
        "colour": "amber",
    }
    assert config["flags"]["wheelchair"] == flag
    assert config["ticket_types"] == {}


def test_scanner_csp_allows_wasm_only_on_the_scanner_page(client, login_as):
    login_as("door")

    scanner = client.get(DOOR).headers["Content-Security-Policy"]
    home = (
        client.get("/2027/").headers.get("Content-Security-Policy")
        or client.get("/account/profile").headers["Content-Security-Policy"]
    )

    assert "script-src 'self' 'wasm-unsafe-eval'" in scanner
    assert "'unsafe-eval'" not in scanner.replace("'wasm-unsafe-eval'", "")
    assert "'unsafe-inline'" not in scanner
    assert "object-src 'none'" in scanner and "frame-ancestors 'none'" in scanner
    assert "wasm-unsafe-eval" not in home
    assert "script-src 'self'" in home


def test_service_worker_is_javascript_with_a_scope_covering_the_page(client, make_summit):
    make_summit()

    response = client.get("/2027/door/sw.js")

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/2027/"
    assert "no-cache" in response.headers["Cache-Control"]
    assert b'addEventListener("fetch"' in response.data


def test_service_worker_of_an_unknown_summit_is_not_found(client, make_summit):
    make_summit()

    assert client.get("/1999/door/sw.js").status_code == 404


def test_vendored_decoder_is_served_from_our_static_folder(client, app):
    wasm = client.get("/static/vendor/barcode-detector/zxing_reader.wasm")
    module = client.get("/static/vendor/barcode-detector/ponyfill.js")
    door = client.get("/static/js/door/decoder.js")

    assert wasm.status_code == 200 and wasm.mimetype == "application/wasm"
    assert wasm.data[:4] == b"\0asm"
    assert module.status_code == 200 and module.mimetype == "text/javascript"
    assert "vendor/barcode-detector/ponyfill.js" in door.get_data(as_text=True)
    for name in ("LICENSE", "VERSIONS"):
        assert client.get(f"/static/vendor/barcode-detector/{name}").status_code == 200


def test_scanner_page_points_the_decoder_at_our_wasm_never_a_cdn(client, login_as):
    login_as("door")

    html = client.get(DOOR).get_data(as_text=True)

    assert "/static/vendor/barcode-detector/zxing_reader.wasm" in html
    assert not re.search(r"jsdelivr|unpkg", html)


def test_undo_of_a_check_in_annuls_it_and_answers_json(client, app, login_as):
    login_as("door")
    seeded = _seed(app)
    assert _scan(app, seeded["token"], seeded["checkpoint"]) == "checked_in"

    response = client.post(f"{DOOR}/undo", json={"scan_id": "phone-1"})

    assert response.status_code == 200
    assert response.json["result"] == "annulled"
    assert response.json["undone"] == "phone-1"
    assert response.json["code"] == seeded["code"]
    assert _live_check_ins(app) == 0
    assert _scan(app, seeded["token"], seeded["checkpoint"], "phone-2") == "checked_in"


def test_undo_twice_is_a_conflict_with_the_error_shape(client, app, login_as):
    login_as("door")
    seeded = _seed(app)
    _scan(app, seeded["token"], seeded["checkpoint"])
    client.post(f"{DOOR}/undo", json={"scan_id": "phone-1"})

    response = client.post(f"{DOOR}/undo", json={"scan_id": "phone-1"})

    assert response.status_code == 409
    assert response.json["error"]["code"] == "not_undoable"


def test_undo_of_an_unknown_scan_is_not_found(client, login_as):
    login_as("door")

    response = client.post(f"{DOOR}/undo", json={"scan_id": "nope"})

    assert response.status_code == 404
    assert response.json["error"]["code"] == "scan_not_found"


def test_undo_by_a_reviewer_is_forbidden(client, app, login_as):
    login_as("reviewer")
    seeded = _seed(app)
    _scan(app, seeded["token"], seeded["checkpoint"])

    response = client.post(f"{DOOR}/undo", json={"scan_id": "phone-1"})

    assert response.status_code == 403
    assert _live_check_ins(app) == 1


def test_undo_without_the_csrf_header_is_refused(make_app, make_summit, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    make_summit()
    email = make_user(roles=("door",), slug="2027")
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/account/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf})
    door = client.get(DOOR).get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', door).group(1)

    refused = client.post(f"{DOOR}/undo", json={"scan_id": "nope"})
    allowed = client.post(f"{DOOR}/undo", json={"scan_id": "nope"}, headers={"X-CSRFToken": token})

    assert refused.status_code == 400
    assert allowed.status_code == 404


def test_typed_code_checks_in_then_answers_already_checked_in(client, app, login_as):
    login_as("door")
    seeded = _seed(app)
    body = {"code": seeded["code"].lower(), "checkpoint": seeded["checkpoint"]}

    first = client.post(f"{DOOR}/code", json={**body, "scan_id": "typed-1"})
    again = client.post(f"{DOOR}/code", json={**body, "scan_id": "typed-2"})
    replay = client.post(f"{DOOR}/code", json={**body, "scan_id": "typed-1"})

    assert first.json["result"] == "checked_in"
    assert first.json["registration"]["name"] == "Rosa Pérez"
    assert again.json["result"] == "already_checked_in"
    assert again.json["first_check_in"]["checkpoint"].startswith("Entrance")
    assert replay.json["result"] == "checked_in" and replay.json["replayed"] is True
    assert _live_check_ins(app) == 1


def test_typed_unknown_code_is_recorded_as_invalid(client, app, login_as):
    login_as("door")
    seeded = _seed(app)

    response = client.post(
        f"{DOOR}/code", json={"code": "NOPE", "checkpoint": seeded["checkpoint"], "scan_id": "t-9"}
    )

    assert response.json["result"] == "invalid"
    assert response.json["colour"] == "red"


def test_typed_code_without_a_checkpoint_is_a_bad_request(client, app, login_as):
    login_as("door")
    seeded = _seed(app)

    response = client.post(f"{DOOR}/code", json={"code": seeded["code"], "scan_id": "t-1"})

    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"
    assert "checkpoint" in response.json["error"]["fields"]
