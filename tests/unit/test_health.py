"""Readiness holds only when every condition holds, and says which do not."""

from __future__ import annotations

from newswire.observability.health import readiness


def test_readiness_needs_every_condition() -> None:
    state = {"broker_reachable": False, "dedup_joined": False, "models_loaded": False}
    checks = [(name, lambda name=name: state[name]) for name in state]
    assert readiness(checks) == state
    state["broker_reachable"] = state["dedup_joined"] = True
    assert not all(readiness(checks).values())
    state["models_loaded"] = True
    assert all(readiness(checks).values())
