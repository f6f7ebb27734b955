"""The OpenAPI document names each schema once: the widget's types (embed/src/types.ts) and any
client generated from it take each name to mean one shape."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, create_model

from service import create_app
from service.http.docs import openapi_document
from service.http.operations import _Components
from service.kernel.config import load_settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(load_settings({}, {"env": "test", "secret_key": "x" * 32}))
    with app.app_context():  # the document is built per app, from its declared operations
        return openapi_document()


def _schema_of(document: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    content = document["paths"][path][method]["responses"][status]["content"]
    name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def test_two_different_models_of_one_name_are_refused() -> None:
    components = _Components()
    components.ref(create_model("Thing", a=(int, ...)))
    with pytest.raises(ValueError, match="two different schemas are named Thing"):
        components.ref(create_model("Thing", b=(str, ...)))


def test_a_model_named_twice_is_one_schema_even_when_recursive() -> None:
    class Node(BaseModel):
        children: list[Node]

    components = _Components()
    assert components.ref(Node, "serialization") == components.ref(Node, "serialization")
    assert components.schemas["Node"]["properties"]["children"]["items"] == {
        "$ref": "#/components/schemas/Node"
    }


@pytest.mark.parametrize("path", ["/api/v1/sso/session", "/api/v1/guest/session"])
def test_a_reader_session_is_documented_with_its_token_not_as_a_moderator_session(
    document: dict[str, Any], path: str
) -> None:
    schema = _schema_of(document, path, "post", "200")
    assert set(schema["required"]) == {"session_token", "expires_at", "user"}


def test_the_moderator_session_keeps_its_own_schema(document: dict[str, Any]) -> None:
    schema = _schema_of(document, "/api/v1/moderation/session", "get", "200")
    assert "principal" in schema["properties"]
