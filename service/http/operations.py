"""Routes declared once: the same pydantic models validate requests and write the OpenAPI document.

`operation(...)` registers a Flask view on a blueprint, parses the query string and JSON body into
the declared models (bad input becomes a `validation_failed` error naming the field), passes them
to the view as `query=` and `body=`, and records everything the OpenAPI 3.1 document needs on
the view itself (`OPERATION`). Nothing is collected at import: each app reads its operations from
its own view functions (`collect_operations`, called by `create_app`), and the rate limiter wraps
the views whose operation names a limit.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from flask import Blueprint, Flask, Response, current_app, request
from pydantic import BaseModel, ValidationError

from service.kernel.errors import (
    ERROR_CODES,
    UnsupportedMediaType,
    ValidationFailed,
    validation_error,
)
from service.kernel.inputs import MAX_ID, UNSTORABLE_MESSAGE, unstorable_field

#: The named rate limits an operation may take (`SIDENOTE_RATELIMIT_<NAME>`, `http.limits`).
LimitName = Literal["post", "vote", "report", "preview", "login", "subscribe", "confirm_mail"]

OPENAPI_VERSION = "3.1.0"


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    tags: list[str]
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    responses: dict[int, type[BaseModel] | str | dict[str, Any] | None]
    errors: list[str]
    auth: list[str] = field(default_factory=list)
    description: str = ""
    #: The named limit it takes (`SIDENOTE_RATELIMIT_<NAME>`), applied per app by `limits`.
    rate_limit: LimitName | None = None
    #: Models to list in components/schemas although no request or response names them
    #: (e.g. the body of the webhook POSTs this operation's webhooks make).
    documents: list[type[BaseModel]] = field(default_factory=list)


#: The attribute of a view function that holds its `Operation`.
OPERATION = "sidenote_operation"
#: Where an app keeps its operations (`collect_operations`) and its document, once built.
OPERATIONS = "sidenote.operations"
DOCUMENT = "sidenote.openapi_document"


def operation_of(view: Callable[..., Any]) -> Operation | None:
    found = getattr(view, OPERATION, None)
    return found if isinstance(found, Operation) else None


def collect_operations(app: Flask) -> list[Operation]:
    """The app's declared operations, in the order their views were registered."""
    operations: list[Operation] = []
    for view in app.view_functions.values():
        found = operation_of(view)
        if found is not None and found not in operations:
            operations.append(found)
    return operations


def app_operations(app: Flask | None = None) -> list[Operation]:
    operations: list[Operation] = (app or current_app).extensions[OPERATIONS]
    return operations


def _flask_rule(path: str) -> str:
    """`/comments/{comment_id}` -> `/comments/<int:comment_id>`; other names are strings."""
    path = re.sub(r"\{(\w*id)\}", rf"<int(max={MAX_ID}):\1>", path)
    return re.sub(r"\{(\w+)\}", r"<\1>", path)


def _query_values(model: type[BaseModel]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        alias = info.alias or name
        if alias not in request.args:
            continue
        annotation = info.annotation
        is_list = get_origin(annotation) is list or any(
            get_origin(arg) is list for arg in get_args(annotation)
        )
        values[alias] = request.args.getlist(alias) if is_list else request.args.get(alias)
    return values


def parse_query(model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(_query_values(model))
    except ValidationError as exc:
        raise validation_error(exc) from None


def parse_body(model: type[BaseModel]) -> Any:
    if not request.mimetype or request.mimetype != "application/json":
        raise UnsupportedMediaType()
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.on("body", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ValidationFailed.on("body", "The request body must be a JSON object.")
    unstorable = unstorable_field(data)
    if unstorable is not None:
        raise ValidationFailed.on(unstorable, f"{unstorable} {UNSTORABLE_MESSAGE}.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


def operation(
    blueprint: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    tags: list[str],
    responses: dict[int, type[BaseModel] | str | dict[str, Any] | None],
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    errors: list[str] | None = None,
    auth: list[str] | None = None,
    description: str = "",
    prefix: str = "/api/v1",
    rate_limit: LimitName | None = None,
    documents: list[type[BaseModel]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and register one API operation (see the module docstring).

    `rate_limit` names one of the configured limits (`SIDENOTE_RATELIMIT_<NAME>`); `documents`
    adds models to the document's schemas that no request or response names.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**path_args: Any) -> Any:
            if query is not None:
                path_args["query"] = parse_query(query)
            if body is not None:
                path_args["body"] = parse_body(body)
            return view(**path_args)

        setattr(
            wrapper,
            OPERATION,
            Operation(
                method=method.lower(),
                path=prefix + path,
                operation_id=view.__name__,
                summary=summary,
                tags=tags,
                query=query,
                body=body,
                responses=responses,
                errors=sorted(
                    set(errors or [])
                    | {"validation_failed"}
                    | ({"rate_limited"} if rate_limit else set())
                ),
                auth=auth or [],
                description=description or (view.__doc__ or "").strip(),
                rate_limit=rate_limit,
                documents=list(documents or []),
            ),
        )
        blueprint.add_url_rule(
            _flask_rule(path), view.__name__, wrapper, methods=[method], strict_slashes=False
        )
        return wrapper

    return decorate


# -- document --------------------------------------------------------------------------------


class _Components:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: str = "validation") -> dict[str, str]:
        schema = model.model_json_schema(
            ref_template="#/components/schemas/{model}",
            mode=mode,  # type: ignore[arg-type]
        )
        self.add_all(schema.pop("$defs", {}))
        self.add(model.__name__, schema)
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    def add(self, name: str, definition: dict[str, Any]) -> None:
        """One name, one schema: a second model of the same name (or a model whose request and
        response forms differ) would otherwise be documented, and typed by the widget, as the first.
        """
        if definition == {"$ref": f"#/components/schemas/{name}"}:
            return  # a recursive model's top level points at its own entry in $defs
        known = self.schemas.setdefault(name, definition)
        if known != definition:
            raise ValueError(f"two different schemas are named {name} in the OpenAPI document")

    def add_all(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            self.add(name, definition)


def _parameters(model: type[BaseModel], components: _Components) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.add_all(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if "description" in prop:
            parameter["description"] = prop["description"]
        if prop.get("type") == "array" or any(
            option.get("type") == "array" for option in prop.get("anyOf", [])
        ):
            parameter["style"] = "form"
            parameter["explode"] = True
        parameters.append(parameter)
    return parameters


def _path_parameters(path: str) -> list[dict[str, Any]]:
    parameters = []
    for name in re.findall(r"\{(\w+)\}", path):
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if name.endswith("id")
            else {"type": "string", "minLength": 1, "maxLength": 64}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def build_document(operations: list[Operation], error_model: type[BaseModel]) -> dict[str, Any]:
    components = _Components()
    error_ref = components.ref(error_model)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        entry: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": op.tags,
            "parameters": _path_parameters(op.path)
            + (_parameters(op.query, components) if op.query else []),
            "responses": {},
        }
        if op.description:
            entry["description"] = op.description
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": components.ref(op.body)}},
            }
        for status, model in op.responses.items():
            response: dict[str, Any] = {"description": _status_text(status)}
            if isinstance(model, str):
                response["content"] = {model: {"schema": {"type": "string"}}}
            elif isinstance(model, dict):  # media type -> JSON Schema, for answers of several kinds
                response["content"] = {kind: {"schema": schema} for kind, schema in model.items()}
            elif model is not None:
                response["content"] = {
                    "application/json": {"schema": components.ref(model, "serialization")}
                }
            entry["responses"][str(status)] = response
        for code in op.errors:
            error_status = ERROR_CODES[code][0]
            described = entry["responses"].setdefault(
                str(error_status),
                {
                    "description": _status_text(error_status),
                    "content": {"application/json": {"schema": error_ref}},
                },
            )
            if "content" in described and described["content"].get("application/json") == {
                "schema": error_ref
            }:
                described["description"] = _merge_description(described["description"], code)
        if op.auth:
            entry["security"] = [{scheme: []} for scheme in op.auth]
        paths.setdefault(op.path, {})[op.method] = entry
    for op in operations:
        for model in op.documents:
            components.ref(model, "serialization")
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Sidenote API",
            "version": "1",
            "description": (
                "Threaded, moderated comments with inline (passage) comments. Every error is "
                '`{"error": {"code", "message", "fields"?}}`; the codes are listed in '
                "`x-error-codes`."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token (`sidenote token add`) or an SSO session token.",
                },
                "moderatorSession": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "sidenote_session",
                    "description": "The moderator UI's session cookie plus X-CSRF-Token.",
                },
            },
        },
        "x-error-codes": {
            code: {"status": status, "message": message}
            for code, (status, message) in ERROR_CODES.items()
        },
    }


def _merge_description(description: str, code: str) -> str:
    marker = "Error codes: "
    if marker in description:
        return description + f", `{code}`"
    return f"{description}. {marker}`{code}`"


def _status_text(status: int) -> str:
    return {
        200: "OK",
        201: "Created",
        202: "Accepted",
        204: "No Content",
        304: "Not Modified",
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        413: "Payload Too Large",
        415: "Unsupported Media Type",
        422: "Rejected by policy",
        429: "Too Many Requests",
        500: "Internal Server Error",
        503: "Service Unavailable",
    }.get(status, "Response")


def json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(json_bytes(payload), status=status, mimetype="application/json")
