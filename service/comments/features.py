"""Which optional features a site offers; the widget reads them from the site config."""

from __future__ import annotations

from collections.abc import Callable

from service.comments.models import Site

FeatureCheck = Callable[[Site], bool]

#: Feature name -> whether a site has it. Parts that provide a feature register their check.
FEATURES: dict[str, FeatureCheck] = {
    "subscriptions": lambda site: False,
    "sso": lambda site: False,
    "inline": lambda site: bool(site.settings.get("inline", True)),
}


def provide(name: str, check: FeatureCheck) -> None:
    FEATURES[name] = check


def site_features(site: Site) -> dict[str, bool]:
    return {name: check(site) for name, check in FEATURES.items()}
