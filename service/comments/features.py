"""Which optional features a site offers; the widget reads them from the site config.

Each app keeps its own table (`app.extensions[FEATURES]`, made by `create_app`): the parts that
provide a feature (notifications, identity) put their check there in their `init_app`, and the
site config operation asks that table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping

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


def provide(features: MutableMapping[str, FeatureCheck], name: str, check: FeatureCheck) -> None:
    features[name] = check


def site_features(features: Mapping[str, FeatureCheck], site: Site) -> dict[str, bool]:
    return {name: check(site) for name, check in features.items()}
