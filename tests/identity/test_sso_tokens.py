"""POST /api/v1/sso/session: every way a token can be wrong, and what a good one gives."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Identity, ReaderSession
from tests.functional.helpers import error_of
from tests.identity.conftest import SsoSite, exchange

OTHER_SECRET = "an-entirely-different-secret-of-enough-length-0123"


def refused(client: FlaskClient, site: str, token: str) -> str:
    response = exchange(client, site, token)
    assert response.status_code == 401, response.json
    error = error_of(response)
    assert error["code"] == "sso_invalid"
    return str(error["message"])


def malformed(client: FlaskClient, site: str, token: str) -> str:
    """A token that cannot be read is bad input: 400 on `token`, not a refused sign-in."""
    response = exchange(client, site, token)
    assert response.status_code == 400, response.json
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert "malformed" in error["fields"]["token"]
    return str(error["message"])


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_good_token_opens_a_session_for_the_sites_user(
    client: FlaskClient, sso_site: SsoSite, session: Session
) -> None:
    # not hex digits, so the stored key (a keyed hash in hex) cannot contain it by chance
    response = exchange(client, sso_site.slug, sso_site.token(sub="user-42"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["session_token"].startswith("snr_")
    assert body["expires_at"].endswith("Z")
    assert body["user"]["name"] == "Ada Lovelace"
    assert body["user"]["verified"] is True
    assert len(body["user"]["avatar"]) == 16
    stored = session.scalar(select(ReaderSession.token_hash))
    assert stored == hashlib.sha256(body["session_token"].encode()).hexdigest()
    identity = session.scalar(select(Identity))
    assert identity is not None and "user-42" not in identity.key
    assert identity.key.startswith("sso:")


def test_a_token_signed_with_another_secret_is_a_bad_signature(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    message = refused(client, sso_site.slug, sso_site.token(secret=OTHER_SECRET))
    assert "signature" in message


def test_an_expired_token_is_refused_as_expired(client: FlaskClient, sso_site: SsoSite) -> None:
    now = int(time.time())
    message = refused(client, sso_site.slug, sso_site.token(iat=now - 900, exp=now - 120))
    assert "expired" in message


def test_a_token_expired_within_the_leeway_still_works(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    now = int(time.time())
    response = exchange(client, sso_site.slug, sso_site.token(iat=now - 900, exp=now - 30))
    assert response.status_code == 200, response.json


def test_a_token_for_another_site_is_refused_as_wrong_audience(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    message = refused(client, sso_site.slug, sso_site.token(aud="someone-else"))
    assert "another site" in message and sso_site.slug in message


def test_a_token_without_audience_is_refused(client: FlaskClient, sso_site: SsoSite) -> None:
    assert "'aud'" in refused(client, sso_site.slug, sso_site.token(aud=None))


def test_a_token_without_subject_is_refused(client: FlaskClient, sso_site: SsoSite) -> None:
    assert "'sub'" in refused(client, sso_site.slug, sso_site.token(sub=None))


def test_a_token_without_expiry_is_refused(client: FlaskClient, sso_site: SsoSite) -> None:
    assert "'exp'" in refused(client, sso_site.slug, sso_site.token(exp=None))


def test_a_numeric_subject_is_refused(client: FlaskClient, sso_site: SsoSite) -> None:
    assert "'sub'" in refused(client, sso_site.slug, sso_site.token(sub=42))


def test_an_empty_subject_is_refused(client: FlaskClient, sso_site: SsoSite) -> None:
    assert "'sub'" in refused(client, sso_site.slug, sso_site.token(sub="  "))


def test_a_non_numeric_expiry_is_malformed(client: FlaskClient, sso_site: SsoSite) -> None:
    assert "'exp'" in malformed(client, sso_site.slug, sso_site.token(exp="tomorrow"))


def test_a_token_issued_in_the_future_beyond_the_leeway_is_refused(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    now = int(time.time())
    message = refused(client, sso_site.slug, sso_site.token(iat=now + 600, exp=now + 900))
    assert "future" in message


def test_a_token_issued_slightly_in_the_future_passes_within_the_leeway(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    now = int(time.time())
    response = exchange(client, sso_site.slug, sso_site.token(iat=now + 30, exp=now + 300))
    assert response.status_code == 200, response.json


def test_a_token_not_valid_yet_is_refused(client: FlaskClient, sso_site: SsoSite) -> None:
    now = int(time.time())
    assert "'nbf'" in refused(client, sso_site.slug, sso_site.token(nbf=now + 600))


def test_an_unsigned_token_is_refused(client: FlaskClient, sso_site: SsoSite) -> None:
    now = int(time.time())
    claims = {"aud": sso_site.slug, "sub": "1", "exp": now + 300}
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    assert "HS256" in refused(client, sso_site.slug, token)


def test_a_token_with_another_algorithm_is_refused(client: FlaskClient, sso_site: SsoSite) -> None:
    now = int(time.time())
    claims = {"aud": sso_site.slug, "sub": "1", "exp": now + 300}
    token = jwt.encode(claims, sso_site.secret + "x" * 40, algorithm="HS512")
    assert "HS256" in refused(client, sso_site.slug, token)


def test_an_rs256_header_cannot_smuggle_the_secret_as_a_public_key(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    now = int(time.time())
    claims = {"aud": sso_site.slug, "sub": "1", "exp": now + 300}
    header = b64({"alg": "RS256", "typ": "JWT"})
    assert "HS256" in refused(client, sso_site.slug, f"{header}.{b64(claims)}.c2ln")


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b", "a.b.c.d", "!!!.???.***"])
def test_a_token_that_is_not_a_jwt_is_bad_input_on_token(
    client: FlaskClient, sso_site: SsoSite, token: str
) -> None:
    malformed(client, sso_site.slug, token)


def test_a_token_whose_header_names_no_algorithm_is_refused(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    assert "HS256" in refused(client, sso_site.slug, "e30.e30.e30")


def test_a_payload_that_is_not_json_is_malformed(client: FlaskClient, sso_site: SsoSite) -> None:
    import hmac

    header = b64({"alg": "HS256", "typ": "JWT"})
    body = base64.urlsafe_b64encode(b"not json").rstrip(b"=").decode()
    signing_input = f"{header}.{body}".encode()
    signature = hmac.new(sso_site.secret.encode(), signing_input, hashlib.sha256).digest()
    token = f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    malformed(client, sso_site.slug, token)


def test_a_site_without_a_secret_refuses_every_token(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    sso_site.retire_old()
    with sso_site.app.app_context():
        from service.identity.sso import active_secrets

        for secret in active_secrets(sso_site.session, sso_site.site.id):
            secret.retired_at = secret.created_at
        sso_site.session.commit()
    assert "no single sign-on secret" in refused(client, sso_site.slug, sso_site.token())


def test_an_unknown_site_is_not_found(client: FlaskClient, sso_site: SsoSite) -> None:
    response = exchange(client, "no-such-site", sso_site.token(aud="no-such-site"))
    assert response.status_code == 404


def test_claims_are_cleaned_before_they_are_kept(
    client: FlaskClient, sso_site: SsoSite, session: Session
) -> None:
    token = sso_site.token(
        name="Ada\u2028\nLovelace\x00",
        email="not an address",
        url="javascript:alert(1)",
        role="admin",
    )
    response = exchange(client, sso_site.slug, token)
    assert response.status_code == 200, response.json
    identity = session.scalar(select(Identity))
    assert identity is not None
    assert identity.display_name == "Ada Lovelace"
    assert (identity.email, identity.website, identity.role) == ("", "", "")


def test_signing_in_again_refreshes_the_name_from_the_claims(
    client: FlaskClient, sso_site: SsoSite, session: Session
) -> None:
    exchange(client, sso_site.slug, sso_site.token(sub="7", name="Ada"))
    response = exchange(client, sso_site.slug, sso_site.token(sub="7", name="Ada King"))
    assert response.json["user"]["name"] == "Ada King"
    assert len(session.scalars(select(Identity)).all()) == 1


def signed(sso_site: SsoSite, header: dict[str, Any], payload: str) -> str:
    """A token with this header and this payload text, signed with the site's secret."""
    import hmac

    body = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
    signing_input = f"{b64(header)}.{body}".encode()
    signature = hmac.new(sso_site.secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{b64(header)}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def claims_json(sso_site: SsoSite, exp: str) -> str:
    return f'{{"aud":"{sso_site.slug}","sub":"u-1","exp":{exp}}}'


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "HS256", "crit": ["exp"]},
        {"alg": "HS256", "crit": "b64"},
        {"alg": "HS256", "kid": 5},
        {"alg": "HS256", "kid": ["a"]},
    ],
)
def test_a_crit_header_or_a_non_string_kid_is_malformed(
    client: FlaskClient, sso_site: SsoSite, header: dict[str, Any]
) -> None:
    token = signed(sso_site, header, claims_json(sso_site, str(int(time.time()) + 300)))
    malformed(client, sso_site.slug, token)


@pytest.mark.parametrize("exp", ["1e309", "-1e309", "1.5", "1e300", "NaN"])
def test_a_non_finite_or_non_integer_expiry_is_malformed(
    client: FlaskClient, sso_site: SsoSite, exp: str
) -> None:
    message = malformed(
        client, sso_site.slug, signed(sso_site, {"alg": "HS256"}, claims_json(sso_site, exp))
    )
    assert "'exp'" in message


def test_a_fractional_expiry_is_malformed(client: FlaskClient, sso_site: SsoSite) -> None:
    exp = f"{int(time.time()) + 300}.5"
    message = malformed(
        client, sso_site.slug, signed(sso_site, {"alg": "HS256"}, claims_json(sso_site, exp))
    )
    assert "'exp'" in message


def test_a_token_living_longer_than_the_maximum_is_refused(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    now = int(time.time())
    message = refused(client, sso_site.slug, sso_site.token(iat=now, exp=now + 3601))
    assert "lives too long" in message and "3600" in message


def test_without_iat_the_lifetime_counts_from_now(client: FlaskClient, sso_site: SsoSite) -> None:
    now = int(time.time())
    token = sso_site.token(iat=None, exp=now + 30 * 24 * 3600)
    assert "lives too long" in refused(client, sso_site.slug, token)


def test_a_token_living_exactly_the_maximum_is_accepted(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    now = int(time.time())
    response = exchange(client, sso_site.slug, sso_site.token(iat=now, exp=now + 3600))
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("settings_overrides", [{"sso_max_lifetime_seconds": 300}])
def test_the_maximum_lifetime_is_a_setting(client: FlaskClient, sso_site: SsoSite) -> None:
    now = int(time.time())
    assert "at most 300" in refused(client, sso_site.slug, sso_site.token(iat=now, exp=now + 600))
