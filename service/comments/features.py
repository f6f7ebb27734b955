"""Which optional features a site offers; the widget reads them from the site config.

Each app keeps its own table (`app.extensions[FEATURES]`, made by `create_app`): the parts that
provide a feature (notifications, identity) put their check there in their `init_app`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from service.comments.models import Site

FeatureCheck = Callable[[Site], bool]

FEATURES = "sidenote.features"


def default_features() -> dict[str, FeatureCheck]:
    """Feature name -> whether a site has it, before any part provides its own check."""
    return {
        "subscriptions": lambda site: False,
        "sso": lambda site: False,
        "inline": lambda site: bool(site.settings.get("inline", True)),
    }


def provide(app: Flask, name: str, check: FeatureCheck) -> None:
    app.extensions[FEATURES][name] = check


def site_features(site: Site) -> dict[str, bool]:
    checks: dict[str, FeatureCheck] = current_app.extensions[FEATURES]
    return {name: check(site) for name, check in checks.items()}
