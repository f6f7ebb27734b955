"""Operations endpoints: `/healthz` for load balancers, `/metrics` for Prometheus.

`/healthz` answers 200 `{"status": "ok", "checks": {...}}` when the database answers and its schema
is at the newest migration, else 503 naming the failing check. `/metrics` exists only when
`SIDENOTE_METRICS_TOKEN` is set and needs it as a bearer token. Under `sidenote serve` several
worker processes answer; their counters are merged through prometheus_client's multiprocess mode
(`PROMETHEUS_MULTIPROC_DIR`, which `serve` sets up).
"""

from __future__ import annotations

import functools
import hmac
import logging
import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text

from service.comments.models import Comment, CommentStatus
from service.db import get_db
from service.db.migrate import current_revision, head_revision, known_revision
from service.http.context import settings
from service.http.metrics import request_metrics
from service.http.operations import json_response
from service.notifications.models import OutboxItem

log = logging.getLogger(__name__)

ops = Blueprint("ops", __name__)


@functools.cache
def _head(url: str) -> str | None:
    return head_revision(url)


@ops.get("/healthz")
def healthz() -> Response:
    checks: dict[str, str] = {}
    database = get_db()
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any failure to reach the database is the answer itself
        log.warning("health check: database unreachable: %s", error)
        checks["database"] = "unreachable"
    if checks["database"] == "ok":
        try:
            current = current_revision(database.engine)
            head = _head(database.url)
            if current == head:
                checks["migrations"] = "ok"
            elif current is not None and not known_revision(database.url, current):
                checks["migrations"] = f"newer than this code ({current}; it knows {head})"
            else:
                checks["migrations"] = f"behind ({current} < {head})"
        except Exception as error:
            log.warning("health check: migrations unknown: %s", error)
            checks["migrations"] = "unknown"
    healthy = all(value == "ok" for value in checks.values())
    response = json_response(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503
    )
    response.headers["Cache-Control"] = "no-store"
    if not healthy:
        response.headers["Retry-After"] = "5"
    return response


class BacklogCollector(Collector):
    """Queue sizes and the outbox backlog, read from the database at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        queue = GaugeMetricFamily(
            "sidenote_moderation_queue", "Comments waiting for a moderator", labels=["queue"]
        )
        outbox = GaugeMetricFamily("sidenote_outbox_backlog", "Mails and webhooks not yet sent")
        with get_db().session() as session:
            held = dict(
                session.execute(
                    select(Comment.status, func.count())
                    .where(Comment.status.in_((CommentStatus.PENDING, CommentStatus.SPAM)))
                    .group_by(Comment.status)
                ).all()
            )
            reported = session.scalar(
                select(func.count())
                .select_from(Comment)
                .where(Comment.status == CommentStatus.APPROVED, Comment.report_count > 0)
            )
            backlog = session.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.status == "pending")
            )
        for name in ("pending", "spam"):
            queue.add_metric([name], float(held.get(name, 0)))
        queue.add_metric(["reported"], float(reported or 0))
        outbox.add_metric([], float(backlog or 0))
        yield queue
        yield outbox


@ops.get("/metrics")
def metrics() -> Response:
    token = settings().metrics_token
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = Response("unauthorized\n", status=401, mimetype="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        app_metrics = request_metrics(current_app)
        registry.register(app_metrics.requests)
        registry.register(app_metrics.latency)
    registry.register(BacklogCollector())
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(ops)
    app_metrics = request_metrics(app)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _count_request(response: Response) -> Response:
        endpoint = request.endpoint or "unmatched"
        if endpoint != "ops.metrics":
            app_metrics.requests.labels(request.method, endpoint, str(response.status_code)).inc()
            started = g.get("request_started")
            if started is not None:
                app_metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
        return response
