"""`sidenote site sso SLUG …`: a site's single sign-on secrets and identity switches.

Registered under the `site` group in service/cli.py. Without options it shows the settings;
`--new-secret` prints the new secret alone on its last line (shown once; the previous one stays
valid until `--retire-old`).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from service.db.cli import db_session
from service.kernel.clock import isoformat


@click.command("sso")
@click.argument("slug")
@click.option("--new-secret", is_flag=True, help="Add a signing secret (printed once, last line).")
@click.option("--retire-old", is_flag=True, help="Retire every secret but the newest.")
@click.option(
    "--require/--allow-guests",
    "require",
    default=None,
    help="Only SSO users may comment / guests may comment too.",
)
@click.option("--login-url", metavar="URL", help="The site's sign-in page ('' removes it).")
@click.option("--logout-url", metavar="URL", help="The site's sign-out page ('' removes it).")
@click.option(
    "--verify-guests/--no-verify-guests",
    "verify_guests",
    default=None,
    help="A guest's comment appears once they confirm their email address.",
)
@with_appcontext
def sso_command(
    slug: str,
    new_secret: bool,
    retire_old: bool,
    require: bool | None,
    login_url: str | None,
    logout_url: str | None,
    verify_guests: bool | None,
) -> None:
    """Single sign-on and guest settings of a site (docs/sso.md)."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.comments import site_identity as identity_settings
    from service.comments.sites import get_site
    from service.identity import sso
    from service.kernel.actors import CLI_ACTOR
    from service.moderation import audit

    if new_secret and retire_old:
        raise click.UsageError("Retire the old secret once tokens use the new one, not together.")
    with db_session() as session:
        site = get_site(session, slug)
        before = identity_settings.identity_settings(site).model_dump()
        after = identity_settings.update_settings(
            session,
            site,
            sso_required=require,
            login_url=login_url,
            logout_url=logout_url,
            verify_guests=verify_guests,
        ).model_dump()
        if after != before:
            audit.record(
                session,
                CLI_ACTOR,
                "site.update",
                target_kind="site",
                target_id=site.id,
                site_id=site.id,
                before={"identity": before},
                after={"identity": after},
            )
        raw = None
        if retire_old:
            for secret in sso.retire_old(session, site):
                audit.record(
                    session,
                    CLI_ACTOR,
                    "sso.secret_retire",
                    target_kind="sso_secret",
                    target_id=secret.id,
                    site_id=site.id,
                )
                click.echo(f"retired secret {secret.id}")
        if new_secret:
            secret, raw = sso.add_secret(session, site)
            audit.record(
                session,
                CLI_ACTOR,
                "sso.secret_add",
                target_kind="sso_secret",
                target_id=secret.id,
                site_id=site.id,
            )
        click.echo(f"site {site.slug}")
        for secret in sso.active_secrets(session, site.id):
            click.echo(f"secret {secret.id}\tcreated {isoformat(secret.created_at)}")
        click.echo(f"sso required\t{'yes' if after['sso_required'] else 'no (guests allowed)'}")
        click.echo(f"login url\t{after['login_url'] or '-'}")
        click.echo(f"logout url\t{after['logout_url'] or '-'}")
        click.echo(f"verify guests\t{'yes' if after['verify_guests'] else 'no'}")
        if raw is not None:
            click.echo("new secret (shown once; the previous one works until --retire-old):")
            click.echo(raw)
