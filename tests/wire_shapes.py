"""The JSON shape of a wire format, from a client's TypedDict or a server's pydantic model.

Both sides of an HTTP call describe the same body: the assistant's clients with a
``TypedDict`` (``integrations/<client>/models.py``), the council services with a pydantic
model (``web/``). ``json_shape`` reduces either to what travels: its keys (a pydantic
field's alias) and each value's JSON kind, so two descriptions can be compared for
equality. Dates and enums travel as strings; ``X | None`` is kept as a union with null.

A form or a query string has no model of its own: FastAPI builds one from the route's
parameters, and ``form_model`` and ``query_model`` return it, so a route's form fields
and query parameters compare like a JSON body.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import types
import typing
from typing import Any, Union

from fastapi import APIRouter
from fastapi.dependencies.utils import get_flat_dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, StrictBool, create_model
from pydantic.fields import ModelField

Shape = Any
_ARRAYS = (list, tuple, set, frozenset, collections.abc.Sequence)
_MAPS = (dict, collections.abc.Mapping)


def _union(members: set[Shape]) -> Shape:
    flat: set[Shape] = set()
    for member in members:
        flat |= member if isinstance(member, frozenset) else {member}
    if "any" in flat:
        return "any"
    return next(iter(flat)) if len(flat) == 1 else frozenset(flat)


def _scalar(kind: type) -> str:
    if issubclass(kind, (bool, StrictBool)):  # pydantic's StrictBool is an int subclass
        return "boolean"
    if issubclass(kind, int):
        return "integer"
    if issubclass(kind, float):
        return "number"
    if issubclass(kind, (str, dt.date, dt.time)):  # datetime is a date: ISO strings
        return "string"
    raise TypeError(f"no JSON kind for {kind!r}")


def value_shape(annotation: Any) -> Shape:
    """The JSON kind of a value of this Python type (recursing into containers)."""
    if annotation is type(None):
        return "null"
    if annotation is Any:
        return "any"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:  # a route's ``Annotated[str, Form()]``
        return value_shape(args[0])
    if origin in (Union, types.UnionType):
        return _union({value_shape(arg) for arg in args})
    if origin is typing.Literal:
        return _union({value_shape(type(arg)) for arg in args})
    if origin in _ARRAYS:
        return ("array", value_shape(args[0]) if args else "any")
    if origin in _MAPS:
        return ("map", value_shape(args[1]) if args else "any")
    if isinstance(annotation, type) and (
        typing.is_typeddict(annotation) or issubclass(annotation, BaseModel)
    ):
        return ("object", frozenset(json_shape(annotation).items()))
    if isinstance(annotation, type) and issubclass(annotation, (list, tuple, set)):
        # pydantic's constrained lists (``Field(max_items=...)``) keep their item type here.
        return ("array", value_shape(getattr(annotation, "item_type", Any)))
    if isinstance(annotation, type):
        return _scalar(annotation)
    raise TypeError(f"no JSON kind for {annotation!r}")


def _field_shape(field: ModelField) -> Shape:
    shape = value_shape(field.outer_type_)
    return _union({shape, "null"}) if field.allow_none else shape


def json_shape(kind: type) -> dict[str, Shape]:
    """Each key of a TypedDict or pydantic model, with its value's JSON kind."""
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return {field.alias: _field_shape(field) for field in kind.__fields__.values()}
    if typing.is_typeddict(kind):
        hints = typing.get_type_hints(kind)
        return {key: value_shape(hint) for key, hint in hints.items()}
    raise TypeError(f"{kind!r} is neither a TypedDict nor a pydantic model")


def required_keys(kind: type) -> frozenset[str]:
    """The keys a body of this shape always has."""
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return frozenset(field.alias for field in kind.__fields__.values() if field.required)
    return frozenset(kind.__required_keys__)


def fits(value: Shape, into: Shape) -> bool:
    """Whether every JSON value of kind ``value`` is also one of kind ``into``.

    A client may send less than the server accepts (``string`` fits ``string | null``),
    and must read all the server may answer; objects must have the same keys.
    """
    if into == "any":
        return True
    if isinstance(value, frozenset):
        return all(fits(member, into) for member in value)
    if isinstance(into, frozenset):
        return any(fits(value, member) for member in into)
    if isinstance(value, tuple) and isinstance(into, tuple) and value[0] == into[0]:
        if value[0] == "object":
            ours, theirs = dict(value[1]), dict(into[1])
            return ours.keys() == theirs.keys() and all(fits(ours[k], theirs[k]) for k in ours)
        return fits(value[1], into[1])
    return value == into


def route(router: APIRouter, method: str, path: str) -> APIRoute:
    """The route of ``router`` that answers ``method path``."""
    for candidate in router.routes:
        if isinstance(candidate, APIRoute) and candidate.path == path:
            if method.upper() in candidate.methods:
                return candidate
    raise LookupError(f"no route {method} {path}")


def form_model(api_route: APIRoute) -> type[BaseModel]:
    """The model FastAPI validates a route's form fields with (its dependencies' too)."""
    if api_route.body_field is None:
        raise LookupError(f"{api_route.path} takes no body")
    return api_route.body_field.type_


def query_model(api_route: APIRoute) -> type[BaseModel]:
    """A model of a route's query parameters (its dependencies' too), as FastAPI reads them."""
    fields: dict[str, Any] = {}
    for param in get_flat_dependant(api_route.dependant).query_params:
        kind = param.outer_type_
        if typing.get_origin(kind) is typing.Annotated:
            kind = typing.get_args(kind)[0]
        kind = kind | None if param.allow_none else kind
        default = ... if param.required else param.default
        fields[param.name] = (kind, Field(default, alias=param.alias))
    return create_model(f"Query_{api_route.name}", **fields)


def response_model(api_route: APIRoute) -> type[BaseModel]:
    """The model of a route's answer (of each item, when it answers a list)."""
    model = api_route.response_model
    if typing.get_origin(model) is list:
        (model,) = typing.get_args(model)
    return model
