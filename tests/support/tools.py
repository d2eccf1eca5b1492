"""Third-party programs the tests drive for real (installed by `./dev test` from Debian)."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str) -> str:
    """The path of program `name`. Missing, the test fails under CI (where `./dev test`
    installs it) and is skipped elsewhere, with a reason that says how to get it."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: `./dev test` installs it from Debian")
        pytest.skip(f"{name} is not installed (`./dev setup` installs it from Debian)")
    return found
