"""The reader's language, from the request's Accept-Language (the catalogs are
`service.kernel.i18n`): edges read it and hand it to the domain."""

from __future__ import annotations

from flask import has_request_context, request

from service.kernel.i18n import available_locales


def request_locale() -> str | None:
    """The best of our locales for the current request's Accept-Language, if any."""
    if not has_request_context():
        return None
    return request.accept_languages.best_match(available_locales())
