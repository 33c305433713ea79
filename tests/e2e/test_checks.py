"""The page checks catch what they exist to catch, so a green run means something."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, check_a11y, watch_console

PAGE = """<!doctype html><html lang="en"><head><title>Probe</title></head>
<body><main><h1>Probe</h1>{body}</main></body></html>"""


@pytest.fixture
def probe_page(new_context):
    """A page served by the browser itself, with the app's kind of strict CSP."""
    page = new_context(viewport=DESKTOP).new_page()
    watch_console(page)

    def serve(body: str):
        page.route(
            "http://probe.test/",
            lambda route: route.fulfill(
                content_type="text/html",
                body=PAGE.format(body=body),
                headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'"},
            ),
        )
        page.goto("http://probe.test/")
        return page

    return serve


def test_check_a11y_unlabelled_input_fails_with_rule_and_target(probe_page):
    page = probe_page('<input id="nameless" type="text">')

    with pytest.raises(AssertionError) as failure:
        check_a11y(page)

    message = str(failure.value)
    assert "- label (critical)" in message
    assert "#nameless" in message


def test_check_a11y_inline_script_fails_as_csp_violation(probe_page):
    page = probe_page('<p>Fine text.</p><script>document.title = "ran";</script>')

    with pytest.raises(AssertionError) as failure:
        check_a11y(page)

    assert page.title() == "Probe"
    assert "CSP violations" in str(failure.value)
    assert "Content Security Policy" in str(failure.value)
