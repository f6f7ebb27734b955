"""A site's identity switches, kept in `Site.settings["identity"]` (the site stays one row).

- `sso_required`: only signed-in SSO users may comment (guests get 401 `sso_required`);
- `login_url` / `logout_url`: where the widget sends a guest to sign in, and a signed-in reader
  after signing out of Sidenote (so the site ends its own session too);
- `verify_guests`: a guest's comment waits (`unverified_guest`) until they prove their address
  (moot while SSO is required: there are no guests then).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from service.comments.models import Site
from service.kernel.errors import validation_error
from service.kernel.rendering import clean_website

SETTINGS_KEY = "identity"


class IdentitySettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sso_required: bool = False
    login_url: str | None = Field(default=None, max_length=2000)
    logout_url: str | None = Field(default=None, max_length=2000)
    verify_guests: bool = False

    @field_validator("login_url", "logout_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        cleaned = clean_website(value.strip())
        if cleaned is None:
            raise ValueError("must be an http:// or https:// address")
        return cleaned


def identity_settings(site: Site) -> IdentitySettings:
    raw = (site.settings or {}).get(SETTINGS_KEY) or {}
    try:
        return IdentitySettings.model_validate(raw)
    except ValidationError:  # hand-edited garbage: the safe defaults, not a 500
        return IdentitySettings()


def update_settings(session: Session, site: Site, **changes: Any) -> IdentitySettings:
    """Change some switches (None leaves one as it is); returns the new settings."""
    current = identity_settings(site).model_dump()
    current.update({name: value for name, value in changes.items() if value is not None})
    try:
        updated = IdentitySettings.model_validate(current)
    except ValidationError as exc:
        raise validation_error(exc) from None
    site.settings = {**(site.settings or {}), SETTINGS_KEY: updated.model_dump()}
    session.flush()
    return updated
