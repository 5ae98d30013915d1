"""Every input the services publish, read off their OpenAPI documents: where it goes, its kind and its bound.

The documents are built at collection time from the same app factories the platform serves (their
databases are never connected to), so each input is a test case of its own and `pytest --collect-only`
counts them; a test checks that the running services publish the very same documents.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.gateway.settings import GatewaySettings
from shared.db.engine import connect

SERVICES = ("gateway", "accounting", "registry", "certification", "disclosure")
BODY_MEDIA = ("application/json", "application/x-www-form-urlencoded")
WRITE_METHODS = ("post", "put", "patch", "delete")
# Formats whose parser refuses anything but the short text it expects: the format is the bound.
BOUNDING_FORMATS = ("date", "date-time", "time")


@functools.cache
def documents() -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document as its app publishes it."""
    settings = GatewaySettings(env="test")
    found: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        database = connect("sqlite://")
        app = importlib.import_module(f"services.{service}.app").create_app(settings, database)
        # A JSON round trip gives the document exactly as GET /openapi.json serves it.
        found[service] = json.loads(json.dumps(app.openapi()))
        database.dispose()
    return found


@dataclass(frozen=True)
class Input:
    """One value a client sends: a path or query parameter, or a member (at any depth) of a request body."""

    service: str
    method: str
    path: str
    where: tuple[str, ...]  # ("query", "limit"), ("path", "event_id"), ("body", "lines", "[]", "quantity")
    kind: str  # string, array, object, integer, number, decimal or any
    schema: Mapping[str, Any] = field(compare=False, hash=False, repr=False)
    media: str = "application/json"  # how the body travels, for body inputs

    @property
    def name(self) -> str:
        """A stable test id: service, operation and place."""
        return f"{self.service} {self.method.upper()} {self.path} {'.'.join(self.where)}"

    @property
    def limit(self) -> tuple[str, int | Decimal] | None:
        """The declared bound as (JSON Schema keyword, value), or None."""
        keyword = {
            "string": "maxLength",
            "array": "maxItems",
            "object": "maxProperties",
            "integer": "maximum",
            "number": "maximum",
            "decimal": "maximum",
        }.get(self.kind)
        if keyword is None:
            return None
        if keyword == "maximum" and "exclusiveMaximum" in self.schema:
            return "exclusiveMaximum", _number(self.schema["exclusiveMaximum"], self.kind)
        if keyword not in self.schema:
            return None
        value = self.schema[keyword]
        return keyword, _number(value, self.kind) if keyword == "maximum" else int(value)

    @property
    def closed(self) -> str | None:
        """Why a string without maxLength is bounded all the same, if it is."""
        if self.kind != "string":
            return None
        if "enum" in self.schema or "const" in self.schema:
            return "a closed set of values"
        if self.schema.get("format") in BOUNDING_FORMATS:
            return f"parsed as a {self.schema['format']}"
        return None

    def past_the_bound(self) -> Any:
        """A value just beyond the declared bound."""
        assert self.limit is not None
        keyword, bound = self.limit
        if self.kind == "string":
            return "a" * (int(bound) + 1)
        if self.kind == "array":
            return [_element(self.schema.get("items", {}))] * (int(bound) + 1)
        if self.kind == "object":
            members = self.required_members()
            return {**members, **{f"member{i}": "x" for i in range(int(bound) + 1 - len(members))}}
        beyond = bound if keyword == "exclusiveMaximum" else bound + 1
        if self.kind == "decimal":
            return str(beyond)  # decimal strings are the exact form; floats are refused anyway
        if self.kind == "integer":
            return int(beyond)
        return beyond

    def required_members(self) -> dict[str, Any]:
        """For an object: its required members with an allowed value, where the schema names one."""
        document = documents()[self.service]
        members: dict[str, Any] = {}
        for name in self.schema.get("required", []):
            member = resolve(document, self.schema.get("properties", {}).get(name, {}))
            if "enum" in member or "const" in member:
                members[name] = member.get("const", (member.get("enum") or [None])[0])
        return members

    @property
    def refusal(self) -> str:
        """Words the validation message uses for this kind of bound."""
        return "at most" if self.kind in ("string", "array", "object") else "less than"


def _number(value: Any, kind: str) -> int | Decimal:
    exact = Decimal(str(value))
    return int(exact) if kind == "integer" or exact == exact.to_integral_value() else exact


def _element(items: Mapping[str, Any]) -> Any:
    kind = items.get("type")
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": []}.get(str(kind), {})


def resolve(document: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a $ref to its component."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_decimal(variants: list[Mapping[str, Any]]) -> bool:
    # pydantic publishes a Decimal as "a number or a numeric string"; its bounds sit on the number.
    return sorted(str(v.get("type")) for v in variants) == ["number", "string"]


def _walk(
    document: Mapping[str, Any], schema: Mapping[str, Any], where: tuple[str, ...], seen: frozenset[str]
) -> Iterator[tuple[tuple[str, ...], str, Mapping[str, Any]]]:
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            return
        seen = seen | {ref}
        schema = resolve(document, schema)
    variants = [v for v in schema.get("anyOf", schema.get("oneOf", [])) if v.get("type") != "null"]
    if variants:
        if _is_decimal(variants):
            number = next(v for v in variants if v.get("type") == "number")
            yield where, "decimal", number
            return
        for variant in variants:
            yield from _walk(document, variant, where, seen)
        return
    for part in schema.get("allOf", []):
        yield from _walk(document, part, where, seen)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        for name, member in schema.get("properties", {}).items():
            yield from _walk(document, member, (*where, name), seen)
        extra = schema.get("additionalProperties")
        if extra is True or isinstance(extra, dict):
            yield where, "object", schema
            if isinstance(extra, dict) and extra:
                yield from _walk(document, extra, (*where, "*"), seen)
    elif kind == "array":
        yield where, "array", schema
        yield from _walk(document, schema.get("items", {}), (*where, "[]"), seen)
    elif kind in ("string", "integer", "number"):
        yield where, str(kind), schema
    elif kind is None and "enum" not in schema and "const" not in schema and "allOf" not in schema:
        yield where, "any", schema


def public_path(service: str, path: str) -> str:
    """Where a service's path is reached through the gateway."""
    return path if service == "gateway" else f"/{service}{path}"


def operations(service: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(method, path, operation) of every published operation but the health probes."""
    for path, methods in documents()[service]["paths"].items():
        if path.startswith("/health"):
            continue
        for method, operation in methods.items():
            yield method, path, operation


def inputs(service: str) -> Iterator[Input]:
    """Every input of every operation of a service (headers aside: the server bounds the request head)."""
    document = documents()[service]
    for method, path, operation in operations(service):
        for parameter in operation.get("parameters", []):
            if parameter["in"] not in ("path", "query"):
                continue
            where = (parameter["in"], parameter["name"])
            for place, kind, schema in _walk(document, parameter["schema"], where, frozenset()):
                yield Input(service, method, path, place, kind, schema)
        for media, body in operation.get("requestBody", {}).get("content", {}).items():
            assert media in BODY_MEDIA, f"{service} {method} {path} takes {media}: teach the walk to read it"
            for place, kind, schema in _walk(document, body.get("schema", {}), ("body",), frozenset()):
                yield Input(service, method, path, place, kind, schema, media)


def all_inputs() -> list[Input]:
    """Every input of every service, each once."""
    found: dict[str, Input] = {}
    for service in SERVICES:
        for item in inputs(service):
            found.setdefault(item.name, item)
    return list(found.values())


def parameters(service: str, method: str, path: str) -> list[Mapping[str, Any]]:
    """The path and query parameters of one operation, their schemas resolved."""
    document = documents()[service]
    operation = documents()[service]["paths"][path][method]
    return [
        {**p, "schema": resolve(document, p["schema"])}
        for p in operation.get("parameters", [])
        if p["in"] in ("path", "query")
    ]

