"""Readiness holds only when the group is joined, tables are recovered and models loaded."""

from __future__ import annotations

from pathlib import Path

from newswire.config import Settings
from newswire.observability.health import GroupMembership, readiness
from newswire.worker.app import create_app


async def test_readiness_needs_every_condition(tmp_path: Path) -> None:
    app = create_app(Settings(store="memory://", data_dir=tmp_path, _env_file=None))  # type: ignore[call-arg]
    membership = GroupMembership(app)
    loaded = False
    checks = readiness(app, membership, ("models_loaded", lambda: loaded))
    assert checks == {"joined_group": False, "tables_recovered": False, "models_loaded": False}

    await app.on_rebalance_complete.send()
    assert readiness(app, membership, ("models_loaded", lambda: loaded))["joined_group"]
    app.tables.recovery.completed.set()
    assert not all(readiness(app, membership, ("models_loaded", lambda: loaded)).values())
    loaded = True
    assert all(readiness(app, membership, ("models_loaded", lambda: loaded)).values())
