"""Makes ``/openapi.json`` say exactly what the server does, for clients and schema tools.

Two gaps of FastAPI with pydantic 1 are closed here (found by fuzzing the running server
with schemathesis, ``tests/contract/web/test_openapi_fuzz.py``):

- An ``Optional`` field of pydantic 1 is left out of ``required`` but its schema does not
  admit ``null``, although the server sends ``null`` for it. Every property that is not
  required is documented as also accepting ``null``.
- A JSON body that cannot be parsed at all is answered with 400 (``{"detail": ...}``)
  before validation, which FastAPI does not document. Every operation with a request body
  documents that 400.
- An operation behind the staff token answers 401 without it, and one with a path
  parameter answers 404 for an unknown one; routers that forget to say so are covered here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

_BAD_BODY = {
    "description": "The body is not valid JSON (or not the declared content type).",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            }
        }
    },
}


def _admit_null(property_schema: dict[str, Any]) -> dict[str, Any]:
    if property_schema.get("type") == "null" or {"type": "null"} in property_schema.get(
        "anyOf", []
    ):
        return property_schema
    labels = ("title", "description")
    extras = {key: property_schema[key] for key in labels if key in property_schema}
    inner = {key: value for key, value in property_schema.items() if key not in extras}
    return {**extras, "anyOf": [inner, {"type": "null"}]}


def admit_null_for_optional_properties(schema: dict[str, Any]) -> None:
    """Let every property that is not required be ``null`` too (pydantic 1's Optional)."""
    for component in schema.get("components", {}).get("schemas", {}).values():
        required = set(component.get("required", []))
        properties = component.get("properties", {})
        for name, property_schema in properties.items():
            if name not in required:
                properties[name] = _admit_null(property_schema)


def document_unparseable_bodies(schema: dict[str, Any]) -> None:
    """Add the 400 for an unparseable body to every operation that takes a body."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("400", _BAD_BODY)


_DETAIL = {
    "application/json": {
        "schema": {"type": "object", "properties": {"detail": {}}, "required": ["detail"]}
    }
}


def document_refusals(schema: dict[str, Any]) -> None:
    """Add 401 to operations behind a bearer token and 404 to those with path parameters."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                responses.setdefault(
                    "401", {"description": "Missing or wrong token.", "content": _DETAIL}
                )
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                responses.setdefault("404", {"description": "Not found.", "content": _DETAIL})


def finish_openapi(app: FastAPI) -> None:
    """Apply the corrections above once, when ``/openapi.json`` is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if getattr(app.state, "openapi_finished", False) and app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        admit_null_for_optional_properties(schema)
        document_unparseable_bodies(schema)
        document_refusals(schema)
        app.openapi_schema = schema
        app.state.openapi_finished = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
