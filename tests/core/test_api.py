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
