"""The lock files: read as pins, and the two never pin one package differently."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def _lock_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock_tool", REPO / "deploy" / "lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pins_reads_name_and_version_with_or_without_markers_and_hashes() -> None:
    text = (
        "# header\n"
        "numpy==2.4.6 \\\n    --hash=sha256:00\n"
        "cffi==2.1.1 ; platform_python_implementation != 'PyPy' \\\n"
        "PyYAML==6.0.3\n"
        "    # via newswire\n"
    )
    assert _lock_tool().pins(text) == {
        "numpy": "2.4.6",
        "cffi ; platform_python_implementation != 'PyPy'": "2.1.1",
        "pyyaml": "6.0.3",
    }


def test_a_package_the_lock_forks_by_python_version_is_read_once_per_fork() -> None:
    text = (
        "numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:00\n"
        "numpy==2.5.5 ; python_full_version >= '3.12' \\\n    --hash=sha256:11\n"
    )
    assert _lock_tool().pins(text) == {
        "numpy ; python_full_version < '3.12'": "2.4.6",
        "numpy ; python_full_version >= '3.12'": "2.5.5",
    }


def test_the_committed_locks_agree_on_every_package_they_share() -> None:
    tool = _lock_tool()
    assert tool.disagreements() == []
    dev, runtime = (tool.pins((REPO / name).read_text()) for name in tool.LOCKS)
    assert "threadpoolctl" in runtime and runtime.keys() < dev.keys()
