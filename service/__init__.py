"""Sidenote: self-hosted, moderated comments with inline comments and an embeddable widget."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from service.kernel.config import Settings

#: The one place the version is written: pyproject.toml reads it (`dynamic`), `sidenote --version`
#: and the start-up log line print it.
__version__ = "0.1.0"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app (`service.app.create_app`): config, extensions, blueprints, error handlers."""
    # Deferred for start-up cost: `import service.kernel…` must not load every feature.
    from service.app import create_app as build

    return build(settings)
