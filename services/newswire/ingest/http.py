"""The HTTP way in: `POST /v1/articles` (one article or a batch) in front of the producer.

Responses are JSON. 202 `{"ids": [...]}` once the broker has every article; 400 when the
body is not JSON; 401 without a valid token and 429 over its rate (`ingest/auth.py`); 413 when the
body or batch is too large; 415 for other content types; 422 with one entry per bad field;
503 when the broker is unreachable (refused at once, nothing sent) or has not acknowledged
within NEWSWIRE_INGEST_PUBLISH_TIMEOUT_S (some may arrive later: the ids are stable, so
retrying the same request is safe). A batch is accepted or refused whole."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import orjson
import structlog
from aiohttp import web

from newswire.client.async_client import AsyncClient
from newswire.config import Settings
from newswire.ingest.access_log import ARTICLES_KEY, access_log_middleware, timeout_middleware
from newswire.ingest.auth import IngestAuth, auth_middleware
from newswire.ingest.broker_watch import BrokerWatch
from newswire.ingest.payload import (
    InvalidArticleError,
    parse_json_payload,
    parse_ndjson_payload,
)
from newswire.observability.metrics import IngestMetrics, metrics_response

log = structlog.get_logger("newswire.ingest")

CLIENT_KEY = web.AppKey("client", AsyncClient)
SETTINGS_KEY = web.AppKey("settings", Settings)
METRICS_KEY = web.AppKey("metrics", IngestMetrics)
WATCH_KEY = web.AppKey("broker_watch", BrokerWatch)
RETRY_HINT = "retrying the same request is safe: articles keep their ids"
JSON_TYPES = {"application/json", ""}
NDJSON_TYPES = {"application/x-ndjson", "application/jsonl", "application/json-lines"}


def problem(
    status: int, message: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> web.Response:
    """A JSON error response: `{"error": message, ...extra}` with `status`."""
    return web.Response(
        body=orjson.dumps({"error": message, **extra}),
        status=status,
        content_type="application/json",
        headers=headers,
    )


async def post_articles(request: web.Request) -> web.Response:
    """Validate the posted article(s) and publish them to the raw topic."""
    response = await _handle(request, request.app[SETTINGS_KEY])
    request.app[METRICS_KEY].requests.labels(status=str(response.status)).inc()
    return response


class RefusedError(Exception):
    """A request refused with an HTTP status and a JSON error body."""

    def __init__(
        self, status: int, message: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.response = problem(status, message, headers=headers, **extra)


async def _handle(request: web.Request, settings: Settings) -> web.Response:
    try:
        items = await _items_of(request, settings)
    except RefusedError as refused:
        return refused.response
    request[ARTICLES_KEY] = len(items)
    started = time.perf_counter()
    watch = request.app[WATCH_KEY]
    retry_after = {"Retry-After": str(max(1, round(settings.ingest_broker_grace_s)))}
    if not watch.reachable:
        # Refused before anything is sent: nothing of this request is published.
        return problem(503, "Kafka is unreachable; nothing was published", headers=retry_after)
    try:
        # The client validates the batch as a whole (schema and the worker's size limit).
        ids = await asyncio.wait_for(
            request.app[CLIENT_KEY].publish_many(items), settings.ingest_publish_timeout_s
        )
    except InvalidArticleError as exc:
        return problem(
            422, "invalid article", errors=[error.as_json() for error in exc.errors[:100]]
        )
    except TimeoutError:
        watch.failed()
        log.warning("ingest.publish_timed_out", articles=len(items))
        return problem(
            503,
            f"Kafka did not acknowledge within {settings.ingest_publish_timeout_s:g}s; "
            + RETRY_HINT,
            headers=retry_after,
        )
    except Exception as exc:
        watch.failed()
        log.warning("ingest.publish_failed", articles=len(items), error=str(exc))
        return problem(
            503,
            f"could not publish to Kafka ({type(exc).__name__}); " + RETRY_HINT,
            headers=retry_after,
        )
    watch.succeeded()
    metrics = request.app[METRICS_KEY]
    metrics.articles.inc(len(ids))
    metrics.publish_seconds.observe(time.perf_counter() - started)
    return web.Response(
        body=orjson.dumps({"ids": ids, "accepted": len(ids)}),
        status=202,
        content_type="application/json",
    )


async def _items_of(request: web.Request, settings: Settings) -> list[Any]:
    """The request's article objects, parsed but not yet validated; raises RefusedError
    saying why the request itself is refused."""
    too_large = f"request body exceeds {settings.ingest_max_request_bytes} bytes"
    if (request.content_length or 0) > settings.ingest_max_request_bytes:
        raise RefusedError(413, too_large)
    content_type = request.content_type if request.body_exists else ""
    if content_type not in JSON_TYPES | NDJSON_TYPES:
        raise RefusedError(415, f"unsupported content type {content_type!r}; send application/json")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise RefusedError(413, too_large) from None
    if not body.strip():
        raise RefusedError(400, "empty body: send an article object or an array of them")
    try:
        items = (
            parse_ndjson_payload(body) if content_type in NDJSON_TYPES else parse_json_payload(body)
        )
    except ValueError as exc:  # orjson.JSONDecodeError is a ValueError
        raise RefusedError(400, f"body is not valid JSON: {exc}") from None
    if not items:
        raise RefusedError(400, "no articles in the request")
    if len(items) > settings.ingest_max_batch:
        raise RefusedError(
            413, f"{len(items)} articles in one request; at most {settings.ingest_max_batch}"
        )
    return items


async def healthz(request: web.Request) -> web.Response:
    """The process answers."""
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    """Ready while the producer is connected and the broker answers (503 once it has been
    unreachable for NEWSWIRE_INGEST_BROKER_GRACE_S, until it answers again)."""
    checks = {
        "producer_connected": CLIENT_KEY in request.app,
        "broker_reachable": request.app[WATCH_KEY].reachable,
    }
    ready = all(checks.values())
    return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition of the ingest metrics."""
    body, content_type = metrics_response(request.app[METRICS_KEY].registry)
    return web.Response(body=body, headers={"Content-Type": content_type})


def create_ingest_app(settings: Settings, metrics_: IngestMetrics | None = None) -> web.Application:
    """The aiohttp application serving ingest, health and metrics; the producer connects on
    start-up and flushes on shutdown."""
    metrics_ = metrics_ or IngestMetrics.create()
    app = web.Application(
        client_max_size=settings.ingest_max_request_bytes,
        # Outermost first: every request is logged, timed out, then authenticated.
        middlewares=[
            access_log_middleware(),
            timeout_middleware(settings.ingest_request_timeout_s),
            auth_middleware(IngestAuth.from_settings(settings), metrics_.registry),
        ],
    )
    app[SETTINGS_KEY] = settings
    app[METRICS_KEY] = metrics_
    app[WATCH_KEY] = BrokerWatch(settings.ingest_broker_grace_s)

    async def producer_context(app: web.Application) -> Any:
        client = AsyncClient(settings, component="http-ingest")
        await client.start()
        app[CLIENT_KEY] = client
        # Probe a few times within the grace period, so readiness follows the broker.
        probing = asyncio.create_task(
            app[WATCH_KEY].watch(client.broker_answers, settings.ingest_broker_grace_s / 3)
        )
        log.info("ingest.ready", bootstrap=settings.kafka_bootstrap)
        yield
        probing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await probing
        try:
            await asyncio.wait_for(client.close(), settings.ingest_publish_timeout_s)
        except Exception as exc:  # shutting down: say what was lost, do not crash the exit
            log.warning("ingest.close_incomplete", error=str(exc))

    app.cleanup_ctx.append(producer_context)
    app.router.add_post("/v1/articles", post_articles)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


def run_ingest(settings: Settings) -> None:
    """Serve HTTP ingest in the foreground until interrupted."""
    web.run_app(
        create_ingest_app(settings),
        host=settings.ingest_host,
        port=settings.ingest_port,
        print=None,
        access_log=None,
    )
