"""The OpenAPI document: valid OpenAPI 3.1, served by the API, and true to the app's route table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from chalicelib.core.config import get_settings
from chalicelib.system.openapi import build_document
from tests.api.factories import header

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@pytest.fixture
def document(http: Any) -> dict[str, Any]:
    response = http.get("/openapi.json")
    assert response.status_code == 200, response.body
    return response.json_body


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method.upper(), item[method]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        prefix = "#/components/schemas/"
        assert schema["$ref"].startswith(prefix), schema["$ref"]
        schema = document["components"]["schemas"][schema["$ref"].removeprefix(prefix)]
    return schema


def object_schemas(document: dict[str, Any], schema: dict[str, Any], seen: set[int] | None = None) -> Iterator[dict]:
    """Every object schema reachable from `schema`, references followed."""
    seen = set() if seen is None else seen
    schema = resolve(document, schema)
    if id(schema) in seen:
        return
    seen.add(id(schema))
    if schema.get("type") == "object" or "properties" in schema:
        yield schema
    children = [*schema.get("properties", {}).values(), *schema.get("anyOf", []), *schema.get("oneOf", [])]
    children += [*schema.get("allOf", []), *[schema[key] for key in ("items",) if isinstance(schema.get(key), dict)]]
    for child in children:
        yield from object_schemas(document, child, seen)


def test_document_is_served_at_openapi_json_as_json(http):
    response = http.get("/openapi.json")
    assert response.status_code == 200
    assert header(response, "content-type").startswith("application/json")
    assert response.json_body["servers"] == [{"url": get_settings().issuer}]


def test_document_is_a_valid_openapi_3_1_document(document):
    assert document["openapi"].startswith("3.1.")
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_every_route_of_the_app_is_documented_with_a_summary_and_a_response(app, document):
    missing = []
    for path, methods in app.routes.items():
        for method in methods:
            operation = document["paths"].get(path, {}).get(method.lower())
            if operation is None or operation.get("x-undocumented") or not operation.get("summary"):
                missing.append(f"{method} {path}")
            elif not operation.get("responses"):
                missing.append(f"{method} {path} (no responses)")
    assert missing == [], "routes without an @endpoint declaration: " + ", ".join(sorted(missing))


def test_document_describes_no_operation_the_app_does_not_serve(app, document):
    served = {(path, method) for path, methods in app.routes.items() for method in methods}
    documented = {(path, method) for path, method, _ in operations(document)}
    assert documented - served == set()


def test_every_operation_has_a_unique_operation_id(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))


def test_every_operation_documents_its_success_and_its_error_shape(document):
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        assert any(status.startswith(("2", "3")) for status in statuses), f"{method} {path} has no success"
        assert "4XX" in statuses, f"{method} {path} does not document its errors"


def test_every_request_body_refuses_unknown_fields(document):
    bodies = 0
    for path, method, operation in operations(document):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            bodies += 1
            for schema in object_schemas(document, media["schema"]):
                if "properties" not in schema and isinstance(schema.get("additionalProperties"), dict):
                    continue  # a map of free keys to typed values (e-form fields), not a record
                assert schema.get("additionalProperties") is False, f"{method} {path}: {schema.get('title')}"
    assert bodies > 0


def test_secured_operations_name_a_declared_security_scheme(document):
    schemes = document["components"]["securitySchemes"]
    secured = [operation for _, _, operation in operations(document) if "security" in operation]
    assert secured, "the account and agency routes require tokens"
    for operation in secured:
        for requirement in operation["security"]:
            assert set(requirement) <= set(schemes)


def test_path_parameters_are_declared_for_every_templated_path(document):
    for path, method, operation in operations(document):
        declared = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "path"}
        templated = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        assert declared == templated, f"{method} {path}"


def test_a_route_declared_without_endpoint_is_marked_undocumented():
    document = build_document({"/hidden": {"GET": object()}}, [], "http://127.0.0.1:1")
    assert document["paths"]["/hidden"]["get"]["x-undocumented"] is True


def test_an_html_error_page_also_documents_the_json_error_shape(document):
    sign_in = document["paths"]["/oidc/authorize"]["post"]["responses"]["400"]["content"]
    assert set(sign_in) == {"text/html", "application/json"}
    assert sign_in["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorReply"}


def test_every_component_schema_has_a_unique_name_and_title(document):
    """Generators name a model by its title; two models of one title lose one of them (and the
    endpoints using it): `openapi-python-client` did so with two `Lookup` and two `StatusChange`."""
    schemas = document["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert sorted(title for title in titles if titles.count(title) > 1) == []
    assert [name for name in schemas if "__" in name] == [], "pydantic qualified a name it found twice"
    assert [name for name, schema in schemas.items() if schema.get("title", name) != name] == []


def test_only_operations_that_take_a_body_document_a_415(document):
    for path, method, operation in operations(document):
        takes_body = "requestBody" in operation
        assert ("415" in operation["responses"]) == takes_body, f"{method} {path}"


def test_every_time_in_an_answer_is_an_iso_8601_date_time(document):
    """Times are `date-time` strings (sent with Vietnam's offset, +07:00), never epoch numbers."""
    wrong = []
    for name, schema in document["components"]["schemas"].items():
        for field, value in schema.get("properties", {}).items():
            if field == "at" or field.endswith("_at"):
                options = [option for option in value.get("anyOf", [value]) if option.get("type") != "null"]
                if [(option.get("type"), option.get("format")) for option in options] != [("string", "date-time")]:
                    wrong.append(f"{name}.{field}")
    assert wrong == []


def test_discovery_and_the_document_list_every_scope_an_agency_route_requires(http, document):
    from chalicelib.core.api import ENDPOINTS

    required = {
        scope for spec in ENDPOINTS if spec.access and spec.access.kind == "agency" for scope in spec.access.scopes
    }
    discovery = http.get("/.well-known/openid-configuration").json_body
    assert required and required <= set(discovery["scopes_supported"])
    assert {"openid", "profile"} <= set(discovery["scopes_supported"])
    flow = document["components"]["securitySchemes"]["agencyToken"]["flows"]["clientCredentials"]
    assert required <= set(flow["scopes"]) <= set(discovery["scopes_supported"])


def test_the_document_states_the_versioning_time_and_rate_limit_policies(document):
    description = document["info"]["description"]
    for promise in ("API-Version: 1", "Deprecation", "Sunset", "six months", "+07:00", "RateLimit-Remaining"):
        assert promise in description


def test_a_deprecated_operation_is_marked_and_its_answers_name_announcement_and_sunset():
    from datetime import date

    from chalicelib.core.api import Deprecated, Endpoint, Returns

    notice = Deprecated(announced=date(2027, 1, 1), sunset=date(2027, 7, 5))
    spec = Endpoint("/old", "GET", "old_thing", "An old thing", "tests", {200: Returns("OK")}, deprecated=notice)
    operation = build_document({"/old": {"GET": object()}}, [spec], "http://127.0.0.1:1")["paths"]["/old"]["get"]
    assert operation["deprecated"] is True and "2027-07-05" in operation["description"]
    assert {"Deprecation", "Sunset"} <= set(operation["responses"]["200"]["headers"])
    assert notice.headers() == {"Deprecation": "@1798761600", "Sunset": "Mon, 05 Jul 2027 00:00:00 GMT"}


def test_a_route_cannot_be_deprecated_with_less_than_six_months_notice():
    from datetime import date

    from chalice import Blueprint

    from chalicelib.core.api import Deprecated, Returns, endpoint

    hurried = Deprecated(announced=date(2027, 1, 1), sunset=date(2027, 3, 1))
    with pytest.raises(ValueError, match="six months"):
        endpoint(
            Blueprint("tests"), "/old", "GET", summary="s", tag="t", responses={200: Returns("OK")}, deprecated=hurried
        )


def handlers(app: Any) -> Iterator[tuple[str, str, Any]]:
    """Every route's own handler (the function `@endpoint` wrapped)."""
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            yield path, method, getattr(entry.view_function, "__wrapped__", entry.view_function)


def test_every_handler_that_reads_the_query_string_declares_a_query_model(app):
    import inspect

    from chalicelib.core.api import ENDPOINTS

    declared = {(spec.path, spec.method): spec.query for spec in ENDPOINTS}
    undeclared = []
    for path, method, handler in handlers(app):
        source = inspect.getsource(handler)
        if ("call.query" in source or "call.raw_query" in source) and declared.get((path, method)) is None:
            undeclared.append(f"{method} {path}")
    assert undeclared == []


def test_every_query_parameter_a_handler_names_is_declared(app):
    """Handlers of open query models (OAuth requests, gateway callbacks) may read `call.raw_query[...]`:
    every name they read must still be a field of the model, hence documented."""
    import inspect
    import re

    from chalicelib.core.api import ENDPOINTS, resolve

    models = {(spec.path, spec.method): resolve(spec.query) for spec in ENDPOINTS if spec.query is not None}
    read = re.compile(r"(?:raw_query|query)(?:\.get\(|\[)\s*\"(\w+)\"")
    missing = []
    for path, method, handler in handlers(app):
        model = models.get((path, method))
        if model is None:
            continue
        for name in read.findall(inspect.getsource(handler)):
            if name not in model.model_fields:
                missing.append(f"{method} {path}: {name}")
    assert missing == []


def test_every_field_of_a_query_model_is_a_documented_parameter(document):
    from chalicelib.core.api import ENDPOINTS, resolve

    checked = 0
    for spec in ENDPOINTS:
        if spec.query is None:
            continue
        operation = document["paths"][spec.path][spec.method.lower()]
        documented = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"}
        fields = resolve(spec.query).model_fields
        assert documented == {field.alias or name for name, field in fields.items()}, f"{spec.method} {spec.path}"
        checked += 1
    assert checked > 10
