"""Crash benchmark (issue #10): exactly one outcome per article under faults, at scale.

Runs the fault scenarios of tests/integration/test_exactly_once.py with more articles
(default 10,000) against a broker of its own, and prints produced / missing / more than
one per scenario, with the JSON written to --json.

    cd benchmarks && ../.venv/bin/python crash.py                    # every scenario
    ../.venv/bin/python crash.py --size 10000 sigkill_restart join_leave_sigterm
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.broker import restartable_broker  # noqa: E402
from tests.support.faults.harness import FaultHarness  # noqa: E402
from tests.support.faults.outcomes import Report  # noqa: E402
from tests.support.faults.scenarios import SCENARIOS  # noqa: E402


def main() -> int:
    """Run the chosen scenarios; print the table; exit 1 if any scenario was not exact."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=[n for n in SCENARIOS if n != "no_faults"])
    parser.add_argument("--size", type=int, default=10_000, help="articles per scenario")
    parser.add_argument(
        "--json", type=Path, default=REPO / "var" / "crash.json", help="where to write figures"
    )
    parser.add_argument("--ner-processes", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()
    unknown = [n for n in args.scenarios if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios {unknown}; known: {', '.join(SCENARIOS)}")
    work = Path(tempfile.mkdtemp(prefix="crash-bench-"))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    reports: list[Report] = []
    with restartable_broker(work / "kafka") as broker:
        for name in args.scenarios:
            began = time.monotonic()
            with FaultHarness(
                broker, work / name, name, ner_processes=args.ner_processes
            ) as harness:
                try:
                    report = SCENARIOS[name](harness, args.size)
                except Exception as exc:  # one broken scenario still leaves the others' figures
                    print(f"{name}: failed to run: {exc}", file=sys.stderr)
                    continue
            reports.append(report)
            print(f"{report.summary()}\n  ({time.monotonic() - began:.0f}s)", flush=True)
            # Written after every scenario: a long run stopped early keeps what it measured.
            args.json.write_text(json.dumps([r.as_dict() for r in reports], indent=2))
    print()
    print(f"{'scenario':<22} {'produced':>9} {'missing':>8} {'double':>7} {'wrong':>6} {'s':>6}")
    for r in reports:
        wrong = len(r.wrong_kind) + len(r.wrong_original)
        print(
            f"{r.scenario:<22} {r.produced:>9,} {len(r.missing):>8,} {r.doubled:>7,} "
            f"{wrong:>6,} {r.seconds:>6.0f}"
        )
    if args.keep:
        print(f"\nfigures in {args.json}; worker logs in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
        print(f"\nfigures in {args.json}")
    return 0 if reports and all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
