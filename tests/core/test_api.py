"""The /api/v1 parent: an OpenAPI 3 document generated from the code, and its docs page."""

import re

import pytest

METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(spec, ref: str):
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_openapi_document_is_openapi_3_with_info(spec):
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"] == {"title": "Summit API", "version": "v1"}


def test_openapi_lists_me_and_summits(spec):
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/me"])
    assert "get" in spec["paths"]["/api/v1/summits"]
    assert "get" in spec["paths"]["/api/v1/summits/{slug}"]
    assert "get" in spec["paths"]["/api/v1/summits/{slug}/tracks"]


def test_openapi_every_reference_resolves(spec):
    refs = set(_refs(spec))

    assert refs
    for ref in refs:
        assert isinstance(_resolve(spec, ref), dict), ref


def test_openapi_every_operation_has_responses_and_declares_its_path_parameters(spec):
    for path, item in spec["paths"].items():
        assert path.startswith("/api/v1/")
        templated = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            if method not in METHODS:
                continue
            assert operation["responses"], (method, path)
            for status in operation["responses"]:
                assert status == "default" or re.fullmatch(r"[1-5]\d\d", status)
            parameters = operation.get("parameters", []) + item.get("parameters", [])
            declared = {p["name"] for p in parameters if p.get("in") == "path"}
            assert declared == templated, (method, path)


def test_openapi_documents_bearer_and_session_auth(spec):
    schemes = spec["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Personal API token",
    }
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert {"bearerAuth": []} in spec["paths"]["/api/v1/me"]["get"]["security"]


def test_openapi_profile_update_schema_lists_the_profile_fields(spec):
    ref = spec["paths"]["/api/v1/me"]["patch"]["requestBody"]["content"]["application/json"]
    schema = _resolve(spec, ref["schema"]["$ref"])

    assert set(schema["properties"]) == {
        "name",
        "pronouns",
        "organisation",
        "presenter_role",
        "county",
        "age_band",
        "preferred_language",
    }
    assert len(set(schema["properties"]["county"]["enum"]) - {None}) == 58


def test_api_docs_page_loads_vendored_assets_only(client):
    response = client.get("/api/v1/docs")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-spec-url="/api/v1/openapi.json"' in page
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources)
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        asset.close()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def test_openapi_every_operation_lists_its_errors_and_has_no_catch_all(spec):
    for method, path, operation in _operations(spec):
        statuses = set(operation["responses"])
        assert "default" not in statuses, (method, path)
        assert "400" in statuses, (method, path)  # NUL bytes or bad UTF-8, anywhere
        if operation.get("security"):
            assert "401" in statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method in {"post", "put", "patch"}:
            assert {"415", "422"} <= statuses, (method, path)


def test_openapi_every_error_response_has_the_shared_error_body(spec):
    for method, path, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            body = _resolve(spec, response["$ref"]) if "$ref" in response else response
            schema = body["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


BOUNDED_LISTS = ("/review/queue", "/checkpoints", "/checkin/roster")


def test_openapi_every_list_pages_with_limit_and_cursor(spec):
    for method, path, operation in _operations(spec):
        ok = operation["responses"].get("200", {}).get("content", {}).get("application/json")
        if method != "get" or not ok:
            continue
        schema = _resolve(spec, ok["schema"]["$ref"])
        # Whole by design: a reviewer's queue, a door's checkpoints and its offline roster.
        if "items" not in schema["properties"] or path.endswith(BOUNDED_LISTS):
            continue
        names = {p["name"] for p in operation.get("parameters", [])}
        assert {"limit", "cursor"} <= names, path
        assert schema["properties"]["next"]["nullable"] is True, path


def test_api_cursor_that_the_list_did_not_give_is_422_with_the_field(client):
    response = client.get("/api/v1/summits?cursor=%21%21")

    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["cursor"]


def test_api_nested_validation_messages_are_flattened_to_dotted_fields(client, make_user, auth):
    auth.login(make_user())

    response = client.patch("/api/v1/me", json={"name": ["not", "a", "string"]})
    error = response.get_json()["error"]

    assert response.status_code == 422
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v)
               for v in error["fields"].values())  # fmt: skip
