"""The vulnerability audit of the gate: pip-audit over requirements.lock.

Known findings that do not apply are listed in `.pip-audit-ignore`, one
`ID  reason` a line; a finding without a reason there fails the gate. When the
vulnerability database cannot be reached, the audit says so plainly and does not fail the
gate (some build machines reach only package registries); CI with network access runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORE = ROOT / ".pip-audit-ignore"


def ignored() -> dict[str, str]:
    """Vulnerability ids waived, each with its reason."""
    if not IGNORE.exists():
        return {}
    found = {}
    for line in IGNORE.read_text().splitlines():
        vuln_id, _, reason = line.partition(" ")
        if vuln_id and not vuln_id.startswith("#"):
            if not reason.strip():
                sys.exit(f"{IGNORE.name}: {vuln_id} is waived without a reason")
            found[vuln_id] = reason.strip()
    return found


def main(pip_audit: str) -> int:
    """0 when nothing unwaived is found (or the database is unreachable), else 1."""
    waived = ignored()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        done = subprocess.run(  # noqa: S603 - pip-audit with arguments built here
            [
                pip_audit,
                "-r",
                str(ROOT / "requirements.lock"),
                "--require-hashes",
                "--disable-pip",
                "--progress-spinner",
                "off",
                "-f",
                "json",
                "-o",
                str(report),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if not report.exists() or not report.read_text().strip():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"pip-audit SKIPPED: the vulnerability database could not be reached ({last})")
            return 0
        data = json.loads(report.read_text())
    findings = [
        (dep["name"], dep["version"], vuln["id"], vuln.get("fix_versions") or [])
        for dep in data["dependencies"]
        for vuln in dep.get("vulns", [])
    ]
    open_findings = [f for f in findings if f[2] not in waived]
    for name, version, vuln_id, fixes in findings:
        note = f"waived: {waived[vuln_id]}" if vuln_id in waived else f"fix: {fixes or 'none yet'}"
        print(f"{name} {version}: {vuln_id} ({note})")
    skipped = [d["name"] for d in data["dependencies"] if d.get("skip_reason")]
    if data["dependencies"] and len(skipped) == len(data["dependencies"]):
        # Every look-up failed: the index answers installs but not PyPI's JSON API (a mirror),
        # so nothing was audited. That is not a pass; say it plainly.
        reason = data["dependencies"][0]["skip_reason"]
        print(f"pip-audit SKIPPED: no package could be looked up ({reason})")
        return 0
    print(
        f"pip-audit: {len(data['dependencies'])} packages, {len(findings)} findings, "
        f"{len(open_findings)} not waived; not auditable: {', '.join(skipped) or 'none'}"
    )
    return 1 if open_findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "pip-audit"))
