"""Refuse what no column can store (NUL, lone surrogates) in every request's path, query string
and form, before any view runs; the checks themselves are `service.kernel.inputs`."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from service.kernel.errors import ValidationFailed
from service.kernel.inputs import UNSTORABLE_MESSAGE, unstorable_field


def _check_request() -> None:
    sources: list[tuple[str, Any]] = [("", dict(request.view_args or {}))]
    sources.append(("", {key: request.args.getlist(key) for key in request.args}))
    if request.mimetype == "application/x-www-form-urlencoded":
        sources.append(("", {key: request.form.getlist(key) for key in request.form}))
    for prefix, values in sources:
        found = unstorable_field(values, prefix)
        if found is not None:
            name = found.rsplit(".", 1)[0] if found.rsplit(".", 1)[-1].isdigit() else found
            raise ValidationFailed.on(name, f"{name} {UNSTORABLE_MESSAGE}.")


def init_app(app: Flask) -> None:
    """Refuse NUL and lone surrogates in the path, query string and forms of every request
    (JSON bodies: `http.operations.parse_body`)."""
    app.before_request(_check_request)
