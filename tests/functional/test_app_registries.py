"""Everything an app is wired with lives on the app: importing a module registers nothing, and two
apps in one process share no event handler, feature, mail template, operation or listener."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, has_app_context
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from service import create_app
from service.comments.caching import note_thread_changed
from service.comments.events import BUS, CommentEvent, EventBus, emit
from service.comments.posting import NewComment, create_comment
from service.comments.read_api import HEAD_CACHE
from service.db import get_db, keys_of, settings_of
from service.moderation.pipeline import evaluate
from service.notifications import fanout, links
from service.notifications.subscriptions import get_or_create_address
from tests.conftest import make_settings
from tests.factories import Factories
from tests.functional.helpers import post_comment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def second_app(database_url: str, connection: Connection) -> Iterator[Flask]:
    """Another app in this process, on the same test transaction as `app`."""
    application = create_app(make_settings(database_url))
    get_db(application).bind_to(connection)
    yield application
    get_db(application).dispose()


def bus(app: Flask) -> EventBus:
    found: EventBus = app.extensions[BUS]
    return found


def test_each_app_delivers_events_to_its_own_handlers_only(
    app: Flask, second_app: Flask, make: Factories
) -> None:
    heard: dict[str, list[str]] = {"first": [], "second": []}
    bus(app).subscribe(
        "comment.created", lambda _s, e: heard["first"].append(e.comment.body_source)
    )
    bus(second_app).subscribe(
        "comment.created", lambda _s, e: heard["second"].append(e.comment.body_source)
    )
    site = make.site()

    assert post_comment(app.test_client(), site.slug, body="To the first").status_code == 201
    assert (
        post_comment(second_app.test_client(), site.slug, body="To the second").status_code == 201
    )

    assert heard == {"first": ["To the first"], "second": ["To the second"]}


def test_removing_a_handler_from_one_app_leaves_the_other_whole(
    app: Flask, second_app: Flask
) -> None:
    wired = bus(app).subscriptions()
    assert ("comment.created", fanout.on_created) in wired

    bus(second_app).unsubscribe("comment.created", fanout.on_created)

    assert ("comment.created", fanout.on_created) not in bus(second_app).subscriptions()
    assert bus(app).subscriptions() == wired


def test_an_apps_session_emits_on_that_apps_bus_whatever_app_is_current(
    app: Flask, second_app: Flask, make: Factories
) -> None:
    comment = make.comment()
    heard: list[str] = []
    bus(second_app).subscribe("comment.edited", lambda _s, e: heard.append("second"))
    with app.app_context(), get_db(second_app).session() as session:
        emit(session, CommentEvent("comment.edited", session.merge(comment)))
    assert heard == ["second"]


def test_a_session_of_no_app_outside_any_app_cannot_emit(make: Factories) -> None:
    comment = make.comment()
    with Session() as session, pytest.raises(RuntimeError, match="no event bus"):
        emit(session, CommentEvent("comment.edited", comment))


def test_subscribing_an_unknown_event_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event"):
        EventBus().subscribe("comment.exploded", lambda _s, _e: None)


def test_an_apps_commit_forgets_only_its_own_cached_heads(
    app: Flask, second_app: Flask, make: Factories
) -> None:
    forgotten: dict[str, list[set[int]]] = {"first": [], "second": []}
    for name, application in (("first", app), ("second", second_app)):
        cache = application.extensions[HEAD_CACHE]
        cache.forget_threads = lambda ids, _keys, name=name: forgotten[name].append(set(ids))
    with get_db(second_app).session() as session:
        note_thread_changed(session, 42)
        session.commit()
    assert forgotten == {"first": [], "second": [{42}]}


def test_each_app_has_its_own_tables(app: Flask, second_app: Flask) -> None:
    for key in ("sidenote.bus", "sidenote.features", "sidenote.composers", "sidenote.operations"):
        assert app.extensions[key] is not second_app.extensions[key], key
    assert app.extensions["sidenote.operations"] == second_app.extensions["sidenote.operations"]


#: Run in a fresh interpreter: in this one, other tests have long imported every module.
WIRING = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    from sqlalchemy.orm import Session
    import service
    from service import create_app
    from service.http.limits import limited_endpoints
    from service.kernel.config import Settings

    def name(function):
        return f"{function.__module__}.{function.__qualname__}"

    def wiring():
        app = create_app(Settings(env="test", database_url=sys.argv[1], secret_key="k" * 40))
        return {
            "handlers": [[e, name(h)] for e, h in app.extensions["sidenote.bus"].subscriptions()],
            "features": sorted(app.extensions["sidenote.features"]),
            "composers": {t: name(f) for t, f in app.extensions["sidenote.composers"].items()},
            "operations": [[o.method, o.path] for o in app.extensions["sidenote.operations"]],
            "limited": limited_endpoints(app),
            "routes": sorted(f"{r.rule} {r.endpoint}" for r in app.url_map.iter_rules()),
            "session_listeners": {
                event: len(getattr(Session().dispatch, event))  # on every Session: none
                for event in ("after_commit", "after_rollback", "after_begin", "before_commit")
            },
        }

    before = wiring()
    imported = []
    for module in pkgutil.walk_packages(service.__path__, "service."):
        importlib.import_module(module.name)
        imported.append(module.name)
    print(json.dumps({"before": before, "after": wiring(), "imported": imported}))
    """
)


def test_importing_every_module_changes_no_app_wiring(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WIRING, f"sqlite:///{tmp_path / 'unused.db'}"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    )
    found = json.loads(result.stdout)
    assert {"service.cli", "service.server", "service.worker"} <= set(found["imported"])
    assert found["after"] == found["before"]
    assert found["before"]["session_listeners"] == {
        "after_commit": 0,
        "after_rollback": 0,
        "after_begin": 0,
        "before_commit": 0,
    }
    assert ["comment.created", "service.notifications.fanout.on_created"] in found["before"][
        "handlers"
    ]


def test_domain_code_posts_and_signs_with_no_app_or_request_context(
    app: Flask, session: Session, make: Factories
) -> None:
    """Domain entry points take the app's settings, keys and bus from the session they are
    handed: posting a comment (judged, stored, its events heard, its edit token signed) and
    signing a mail link need no `current_app`."""
    site = make.site()
    heard: list[int] = []
    bus(app).subscribe("comment.created", lambda _s, e: heard.append(e.comment.id))
    assert not has_app_context()
    posted = create_comment(
        session,
        NewComment(
            site=site.slug,
            thread="/no-context",
            thread_url=f"{site.origins[0]}/no-context",
            body="Posted by a worker, not a request",
            author_email="ada@example.org",
        ),
        judge=evaluate,
        max_body_chars=10_000,
        sanitizer="bleach",
    )
    assert heard == [posted.comment.id]
    assert keys_of(session).unsign("edit", posted.edit_token) == {"c": posted.comment.id}
    assert settings_of(session) is app.config["SIDENOTE"]
    address = get_or_create_address(session, "ada@example.org")
    token = links.of(session).manage_token(address)
    assert links.of(session).read_token("manage", token, "e") is not None
    assert not has_app_context()


def test_a_session_of_no_app_has_no_settings_or_keys() -> None:
    with Session() as session:
        with pytest.raises(RuntimeError, match="no settings"):
            settings_of(session)
        with pytest.raises(RuntimeError, match="no keys"):
            keys_of(session)
