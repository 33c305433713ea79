"""The Spanish catalog: complete for the current code, well formed, and used
when pages are rendered.

The catalog checks extract messages from the code in-process, the same way
``make extract-messages`` does, so a new string anywhere fails here until it
is in ``messages.po`` with a translation. The rendering checks need the
compiled catalog: run ``make compile-messages`` first (``make test`` does).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "summit" / "translations"
ES_PO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
ES_MO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo"
# The keywords of `make extract-messages`: Babel's defaults plus `-k _l -k lazy_gettext`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
LANG_COOKIE = "summit_lang"

# A printf-style conversion as Python's %-operator reads it: %(name)s, %d, %%.
PLACEHOLDER = re.compile(
    r"""%
    (?:\((?P<name>[^)]*)\))?      # mapping key
    [#0\ +\-]*                   # flags
    (?:\*|\d+)?(?:\.(?:\*|\d+))?  # width and precision
    [hlL]?                        # length modifier
    (?P<type>[diouxXeEfFgGcrsa%]) # conversion""",
    re.VERBOSE,
)


# --- helpers --------------------------------------------------------------


def _key(message_id) -> str:
    """A singular msgid, also for plural entries (their id is a tuple)."""
    return message_id[0] if isinstance(message_id, tuple | list) else message_id


def _texts(value) -> list[str]:
    if isinstance(value, tuple | list):
        return list(value)
    return [value or ""]


def placeholders(text: str) -> list[str]:
    """The distinct %-placeholders of a text, sorted; a literal ``%%`` is not one."""
    return sorted({m.group(0) for m in PLACEHOLDER.finditer(text) if m.group("type") != "%"})


@cache
def es_catalog():
    with ES_PO.open("rb") as handle:
        return read_po(handle, locale="es")


@cache
def extracted_messages() -> dict[tuple[str, str | None], list[str]]:
    """Every translatable message in the code: (msgid, context) -> where it is used."""
    with MAPPING.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename=str(MAPPING))
    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = _key(message)
        if msgid:
            found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


def catalog_entries():
    return [message for message in es_catalog() if message.id]


def translation(msgid: str) -> str:
    message = es_catalog().get(msgid)
    assert message is not None, f"{msgid!r} is not in {ES_PO.name}"
    return message.string


def html_lang(html: str) -> str | None:
    match = re.search(r'<html lang="([^"]*)"', html)
    return match.group(1) if match else None


# --- the catalog ----------------------------------------------------------


def test_extraction_current_code_finds_messages_from_python_and_templates():
    where = {place.split(":")[0] for places in extracted_messages().values() for place in places}

    assert ("Log in", None) in extracted_messages()
    assert ("Please log in to see that page.", None) in extracted_messages()  # lazy_gettext
    assert any(name.endswith(".py") for name in where)
    assert any(name.endswith(".html") for name in where)
    assert any(name.endswith(".txt") for name in where)


def test_es_catalog_every_extracted_message_is_present():
    in_catalog = {(_key(m.id), m.context) for m in catalog_entries()}

    missing = [
        f"{msgid!r} ({', '.join(places)})"
        for (msgid, context), places in sorted(extracted_messages().items())
        if (msgid, context) not in in_catalog
    ]

    assert not missing, (
        f"{len(missing)} message(s) in the code are not in {ES_PO.name}; "
        "run `make update-messages` and translate them:\n" + "\n".join(missing)
    )


def test_es_catalog_entries_all_have_a_translation():
    untranslated = [
        _key(m.id) for m in catalog_entries() if not all(t.strip() for t in _texts(m.string))
    ]

    assert not untranslated, f"{len(untranslated)} entries without a translation:\n" + "\n".join(
        map(repr, untranslated)
    )


def test_es_catalog_entries_none_fuzzy():
    fuzzy = [_key(m.id) for m in catalog_entries() if m.fuzzy]

    assert not fuzzy, f"{len(fuzzy)} fuzzy entries (check them, then drop the flag):\n" + (
        "\n".join(map(repr, fuzzy))
    )


def test_es_catalog_placeholders_match_msgid():
    mismatched = []
    for message in catalog_entries():
        sources = _texts(message.id)  # (singular, plural) for plural entries
        for index, text in enumerate(_texts(message.string)):
            source = sources[min(index, len(sources) - 1)]
            if text and placeholders(text) != placeholders(source):  # empty: see above
                mismatched.append(f"{source!r} -> {text!r}")

    assert not mismatched, "Translations whose placeholders differ from the msgid:\n" + (
        "\n".join(mismatched)
    )


def test_es_catalog_python_format_entries_flagged():
    unflagged = [
        _key(m.id)
        for m in catalog_entries()
        if placeholders(_key(m.id)) and "python-format" not in m.flags
    ]

    assert unflagged == []


def test_es_catalog_babel_checks_report_no_errors():
    problems = [f"{m.id!r}: {errors}" for m, errors in es_catalog().check() if errors]

    assert problems == []


def test_es_compiled_catalog_matches_po():
    assert ES_MO.exists(), f"{ES_MO.name} is missing: run `make compile-messages`"
    with ES_MO.open("rb") as handle:
        # Plural strings come back as a list from .mo and a tuple from .po.
        compiled = {
            (_key(m.id), m.context): tuple(m.string) if isinstance(m.string, list) else m.string
            for m in read_mo(handle)
            if m.id
        }

    # Untranslated and fuzzy entries are left out of the compiled file.
    stale = [
        _key(m.id)
        for m in catalog_entries()
        if m.string and not m.fuzzy and compiled.get((_key(m.id), m.context)) != m.string
    ]

    assert not stale, f"{ES_MO.name} is out of date: run `make compile-messages`:\n" + (
        "\n".join(map(repr, stale))
    )


def test_placeholders_named_and_literal_percent_reads_conversions():
    assert placeholders("Hi %(name)s, %(n)d left, 100%% sure, %(name)s") == ["%(n)d", "%(name)s"]
    assert placeholders("%s of %d") == ["%d", "%s"]
    assert placeholders("No placeholders here.") == []


def test_placeholders_different_conversion_or_name_differ():
    assert placeholders("Use at least %(n)d characters.") != placeholders("Al menos %(n)s.")
    assert placeholders("Hello %(name)s,") != placeholders("Hola, %(nombre)s:")
    assert placeholders("Created %(when)s") != placeholders("Creado")


# --- rendered pages -------------------------------------------------------


def test_login_page_spanish_cookie_renders_spanish(client):
    client.set_cookie(LANG_COOKIE, "es")

    response = client.get("/account/login")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_lang(html) == "es"
    assert translation("Log in") == "Iniciar sesión"
    assert "Iniciar sesión" in html
    assert translation("Forgot your password?") in html
    assert "Forgot your password?" not in html


def test_login_page_accept_language_es_renders_spanish(client):
    response = client.get("/account/login", headers={"Accept-Language": "es-MX,es;q=0.9"})

    html = response.get_data(as_text=True)
    assert html_lang(html) == "es"
    assert translation("Forgot your password?") in html


def test_login_page_no_preference_renders_english(client):
    response = client.get("/account/login")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_lang(html) == "en"
    assert "Forgot your password?" in html
    assert translation("Forgot your password?") not in html


def test_login_page_spanish_cookie_translates_lazy_form_labels_and_errors(client):
    client.set_cookie(LANG_COOKIE, "es")

    response = client.post("/account/login", data={"email": "", "password": ""})

    html = response.get_data(as_text=True)
    assert html_lang(html) == "es"
    assert translation("Email") in html  # a lazy_gettext field label
    assert translation("This field is required.") in html  # a lazy validator message
    assert "This field is required." not in html


def test_error_page_spanish_cookie_renders_translated_title_and_message(client):
    client.set_cookie(LANG_COOKIE, "es")

    response = client.get("/account/no-such-page")

    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert html_lang(html) == "es"
    assert translation("Page not found") in html
    assert translation("We could not find that page.") in html


def test_set_language_es_sets_cookie_and_redirects_to_next(client):
    response = client.post("/lang", data={"lang": "es", "next": "/account/login"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    cookie = client.get_cookie(LANG_COOKIE)
    assert cookie is not None
    assert cookie.value == "es"
    assert cookie.http_only is True
    assert cookie.same_site == "Lax"
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html_lang(followed) == "es"


def test_set_language_en_after_es_switches_back_to_english(client):
    client.post("/lang", data={"lang": "es", "next": "/account/login"})

    client.post("/lang", data={"lang": "en", "next": "/account/login"})

    assert client.get_cookie(LANG_COOKIE).value == "en"
    assert html_lang(client.get("/account/login").get_data(as_text=True)) == "en"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/path", "/\\evil.example", "", "account/login"],
)
def test_set_language_unsafe_next_redirects_to_start_page(client, target):
    response = client.post("/lang", data={"lang": "es", "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get_cookie(LANG_COOKIE).value == "es"


def test_set_language_logged_in_saves_preferred_language(app, client, login_as):
    from summit.accounts.queries import get_user_by_email

    email = login_as()

    response = client.post("/lang", data={"lang": "es", "next": "/account/profile"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    with app.app_context():
        assert get_user_by_email(email).preferred_language == "es"
    assert html_lang(client.get("/account/profile").get_data(as_text=True)) == "es"


def test_locale_logged_in_preference_beats_cookie(client, make_user, auth):
    email = make_user(preferred_language="es")
    assert auth.login(email).status_code == 302
    client.set_cookie(LANG_COOKIE, "en")

    html = client.get("/account/profile").get_data(as_text=True)

    assert html_lang(html) == "es"
    assert translation("My profile") in html


def test_set_language_unknown_code_answers_400_with_message(client):
    response = client.post("/lang", data={"lang": "xx", "next": "/account/login"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose English or Español." in html
    assert client.get_cookie(LANG_COOKIE) is None


def test_set_language_unknown_code_in_spanish_answers_400_in_spanish(client):
    client.set_cookie(LANG_COOKIE, "es")

    response = client.post("/lang", data={"lang": "xx"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html_lang(html) == "es"
    assert translation("Choose English or Español.") != "Choose English or Español."
    assert translation("Choose English or Español.") in html
    assert client.get_cookie(LANG_COOKIE).value == "es"


# --- how templates translate ----------------------------------------------------------

TRANSLATED = (
    '{{ _("Program") }}|{{ ngettext("%(num)d seat", "%(num)d seats", 3) }}|'
    '{% from "_i18n_probe.html" import probe %}{{ probe() }}'
)


@pytest.fixture
def probe_template(app):
    """A macro in a template imported without context: its render has no catalogue."""
    from jinja2 import ChoiceLoader, DictLoader

    loader = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"_i18n_probe.html": '{% macro probe() %}{{ _("Program") }}{% endmacro %}'}),
         loader]
    )  # fmt: skip
    yield
    app.jinja_env.loader = loader


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "Programa|3 lugares|Programa"), ("en", "Program|3 seats|Program")],
)
def test_templates_translate_strings_plurals_and_macros_without_context(
    app, probe_template, language, expected
):
    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": language}):
        assert render_template_string(TRANSLATED) == expected


def test_a_render_asks_flask_babel_for_its_catalogue_once(app, probe_template, monkeypatch):
    """Strings read the catalogue the render was given; only the macro imported without
    context (no catalogue in its context) asks again. Flask-Babel's own callables ask
    once per string: 13 times here."""
    import flask_babel
    from flask import render_template_string

    calls = []
    real = flask_babel.Domain.get_translations

    def counted(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counted)
    with app.test_request_context(headers={"Accept-Language": "es"}):
        out = render_template_string('{{ _("Program") }}' * 10 + TRANSLATED)
    assert out.startswith("Programa" * 10)
    assert len(calls) == 2  # the context processor's, and the macro's
