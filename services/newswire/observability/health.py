"""Liveness and readiness pages on the worker's web port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import faust

ReadinessCheck = Callable[[], bool]


class GroupMembership:
    """Tracks whether the worker has completed a rebalance, i.e. joined its group."""

    def __init__(self, app: faust.App) -> None:
        self.joined = False

        async def _joined(sender: Any, *args: Any, **kwargs: Any) -> None:
            self.joined = True

        app.on_rebalance_complete.connect(cast(Any, _joined))


def readiness(
    app: faust.App, membership: GroupMembership, *extra: tuple[str, ReadinessCheck]
) -> dict[str, bool]:
    """Each readiness condition of the worker and whether it holds now."""
    checks: dict[str, bool] = {
        "joined_group": membership.joined and not app.rebalancing,
        # TableManagerT does not declare `recovery`; the concrete TableManager has it.
        "tables_recovered": bool(cast(Any, app.tables).recovery.completed.is_set()),
    }
    for name, check in extra:
        checks[name] = check()
    return checks


def register_health(app: faust.App, *extra: tuple[str, ReadinessCheck]) -> None:
    """Serve `/healthz` (the process answers) and `/readyz` (joined the group, tables
    recovered, models loaded: 200 when all hold, 503 with the failing ones otherwise)."""
    membership = GroupMembership(app)

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "alive"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        checks = readiness(app, membership, *extra)
        ready = all(checks.values())
        return web.json({"ready": ready, "checks": checks}, status=200 if ready else 503)
