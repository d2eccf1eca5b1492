"""The worker's web port serves health and metrics, and nothing else.

faust mounts views that list tables, read stored values (`/table/{name}/{key}/`) and show
which worker owns which changelog partition (`/router/`). Each is switched off by its faust
setting, and an allow-list middleware answers 404 for every other path, so a view a faust
upgrade adds is not served either."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

WORKER_PATHS = frozenset({"/metrics", "/healthz", "/readyz"})


def allow_only(
    paths: frozenset[str],
) -> Middleware:
    """An aiohttp middleware answering 404 to any path not in `paths` (a trailing slash is
    ignored), before any view runs."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path not in paths:
            return web.json_response({"error": "not found"}, status=404)
        return await handler(request)

    return middleware


def locked_down_web_options(settings_host: str, port: int) -> dict[str, Any]:
    """`faust.App` keyword arguments for a web server on `settings_host:port` that serves only
    /metrics, /healthz and /readyz."""
    return {
        "web_host": settings_host,
        "web_bind": settings_host,
        "web_port": port,
        "web_router_enabled": False,
        "web_tables_enabled": False,
        "web_graph_enabled": False,
        "web_stats_enabled": False,
        "web_metrics_enabled": False,
        "web_application_options": {"middlewares": [allow_only(WORKER_PATHS)]},
    }
