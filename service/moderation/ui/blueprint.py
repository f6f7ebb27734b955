"""The `moderate` blueprint object, apart from its views so every view module can import it."""

from __future__ import annotations

from flask import Blueprint

moderate = Blueprint("moderate", __name__, url_prefix="/moderate")
