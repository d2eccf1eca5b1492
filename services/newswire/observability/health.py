"""Liveness and readiness pages on the worker's web port."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import faust

ReadinessCheck = Callable[[], bool]


def readiness(checks: Sequence[tuple[str, ReadinessCheck]]) -> dict[str, bool]:
    """Each readiness condition of the worker and whether it holds now."""
    return {name: bool(check()) for name, check in checks}


def register_health(app: faust.App, *checks: tuple[str, ReadinessCheck]) -> None:
    """Serve `/healthz` (the process answers) and `/readyz` (200 when every check holds,
    e.g. broker reachable, each stage joined its group with state restored, models
    loaded; 503 with the checks otherwise)."""

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "alive"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        states = readiness(checks)
        ready = all(states.values())
        return web.json({"ready": ready, "checks": states}, status=200 if ready else 503)
