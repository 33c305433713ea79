"""One handler set: HTML pages for people, ``{"error": …}`` JSON under /api/."""

import pytest
from flask import abort

from summit.core.errors import DomainError, error_response

PAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Page not found", "We could not find that page."),
    405: ("Not allowed", "That action is not allowed here."),
    413: ("Too large", "What you sent is too large."),
    429: ("Too many attempts", "Too many attempts. Please wait a minute and try again."),
    500: ("Something went wrong", "Something went wrong on our side."),
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def failing_app(make_app):
    """The app plus routes that fail on purpose, in HTML and under /api/."""
    app = make_app()

    def status(code):
        abort(code)

    def crash():
        raise RuntimeError("a bug, not a person's fault")

    def domain():
        raise DomainError("cfp_closed", "The call is closed.", fields={"title": ["Too late."]})

    for prefix, name in (("", "page"), ("/api/v1", "api")):
        app.add_url_rule(f"{prefix}/test-status/<int:code>", f"{name}_status", status)
        app.add_url_rule(f"{prefix}/test-crash", f"{name}_crash", crash)
        app.add_url_rule(f"{prefix}/test-domain", f"{name}_domain", domain)
    return app


# --- HTML pages ------------------------------------------------------------------


@pytest.mark.parametrize(("status", "expected"), sorted(PAGES.items()))
def test_error_page_html_has_title_message_and_way_back(failing_app, status, expected):
    title, message = expected

    response = failing_app.test_client().get(f"/test-status/{status}")

    page = _text(response)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert f"<h1>{title}</h1>" in page
    assert message in page
    assert f"Error code {status}" in page
    assert 'href="/"' in page


def test_error_page_unhandled_exception_gives_500_page_not_traceback(failing_app):
    response = failing_app.test_client().get("/test-crash")

    assert response.status_code == 500
    assert "Something went wrong on our side." in _text(response)
    assert "RuntimeError" not in _text(response)


def test_error_page_domain_error_shows_its_message(failing_app):
    response = failing_app.test_client().get("/test-domain")

    assert response.status_code == 400
    assert "The call is closed." in _text(response)


def test_error_page_real_404(client):
    response = client.get("/no/such/page/here")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in _text(response)


def test_error_page_real_405(client):
    response = client.delete("/account/login")

    assert response.status_code == 405
    assert "That action is not allowed here." in _text(response)


def test_error_page_real_400_explains_the_problem(client):
    response = client.post("/lang", data={"lang": "fr"})

    assert response.status_code == 400
    assert "Choose English or Español." in _text(response)


def test_error_page_in_spanish_for_a_spanish_visitor(client):
    client.set_cookie("summit_lang", "es")

    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert '<html lang="es">' in _text(response)


# --- JSON under /api/ ------------------------------------------------------------


@pytest.mark.parametrize(("status", "code"), sorted(CODES.items()))
def test_api_error_json_has_the_shared_shape(failing_app, status, code):
    response = failing_app.test_client().get(f"/api/v1/test-status/{status}")

    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["fields"] == {}


def test_api_error_unhandled_exception_gives_500_json(failing_app):
    response = failing_app.test_client().get("/api/v1/test-crash")

    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"
    assert "RuntimeError" not in _text(response)


def test_api_error_domain_error_keeps_code_and_fields(failing_app):
    response = failing_app.test_client().get("/api/v1/test-domain")

    assert response.status_code == 400
    assert response.get_json() == {
        "error": {
            "code": "cfp_closed",
            "message": "The call is closed.",
            "fields": {"title": ["Too late."]},
        }
    }


def test_api_error_unknown_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_api_error_wrong_method_is_json_405(client):
    response = client.delete("/api/v1/summits")

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_error_response_outside_api_renders_html(app):
    with app.test_request_context("/somewhere"):
        body, status = error_response(409, "conflict", "Reload and try again.")

    assert status == 409
    assert "Reload and try again." in body
