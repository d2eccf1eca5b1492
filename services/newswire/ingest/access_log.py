"""One access-log line per HTTP ingest request, and the request timeout.

The line says who (token name), what (method, path, status, article count, bytes) and how
long; never a body, a header value or a token."""

from __future__ import annotations

import asyncio
import time

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from newswire.ingest.auth import TOKEN_NAME_KEY

log = structlog.get_logger("newswire.ingest.access")

# Set by the handler: how many articles the request carried.
ARTICLES_KEY = web.RequestKey("articles", int)


def access_log_middleware() -> Middleware:
    """Logs `ingest.access` once per request, after the response is known (500 when the
    handler raised)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            status = exc.status
            raise
        else:
            status = response.status
            return response
        finally:
            log.info(
                "ingest.access",
                method=request.method,
                path=request.path,
                status=status,
                token=request.get(TOKEN_NAME_KEY, "-"),
                articles=request.get(ARTICLES_KEY, 0),
                bytes=request.content_length or 0,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )

    return middleware


def timeout_middleware(timeout_s: float) -> Middleware:
    """Answers 503 when a request (reading its body, waiting for the broker) takes longer
    than `timeout_s`, so a slow client or broker cannot hold a connection forever."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            async with asyncio.timeout(timeout_s):
                return await handler(request)
        except TimeoutError:
            return web.json_response(
                {"error": f"request took longer than {timeout_s:g}s"},
                status=503,
                headers={"Retry-After": "1"},
            )

    return middleware
