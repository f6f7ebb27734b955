"""Request counters and latencies for `/metrics`, one set per app (`app.extensions`), so two apps
in one process never count into each other's. The read fast path counts into the same set."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from prometheus_client import Counter, Histogram

EXTENSION_KEY = "sidenote.request_metrics"


@dataclass(frozen=True)
class RequestMetrics:
    requests: Counter
    latency: Histogram


def init_app(app: Flask) -> RequestMetrics:
    """Make the app's metrics (unregistered: `/metrics` collects them into its own registry)."""
    metrics = RequestMetrics(
        requests=Counter(
            "sidenote_requests_total",
            "HTTP requests answered",
            ["method", "endpoint", "status"],
            registry=None,
        ),
        latency=Histogram(
            "sidenote_request_seconds",
            "Time to answer a request",
            ["endpoint"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=None,
        ),
    )
    app.extensions[EXTENSION_KEY] = metrics
    return metrics


def request_metrics(app: Flask) -> RequestMetrics:
    metrics: RequestMetrics = app.extensions[EXTENSION_KEY]
    return metrics
