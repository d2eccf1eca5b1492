"""Renders deploy/grafana/dashboards/newswire.json to a PNG from a live Prometheus, for
places where Grafana itself cannot run (the README's picture was made this way).

    .venv/bin/python deploy/grafana/render_preview.py --prometheus http://127.0.0.1:9090 \\
        --minutes 10 --out docs/dashboard.png

Each panel runs its own PromQL over the window through Prometheus' query_range API and is
drawn where the dashboard's grid puts it: time series as lines, stat panels as the last
value. Needs matplotlib (a dev dependency)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import httpx
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend is chosen first

DASHBOARD = Path(__file__).resolve().parent / "dashboards" / "newswire.json"
BACKGROUND, PANEL, TEXT, GRID = "#111217", "#181b1f", "#ccccdc", "#2c3235"
UNITS = {"s": " s", "percentunit": "", "ops": "/s", "reqps": " req/s"}


def query_range(prometheus: str, expr: str, start: float, end: float) -> list[dict[str, Any]]:
    """Every series `expr` gives over [start, end], 60 points or more."""
    step = max(1.0, (end - start) / 120)
    response = httpx.get(
        f"{prometheus}/api/v1/query_range",
        params={"query": expr, "start": start, "end": end, "step": step},
        timeout=10,
    )
    response.raise_for_status()
    return list(response.json()["data"]["result"])


def legend(template: str, labels: dict[str, str]) -> str:
    """Grafana's `{{label}}` legend format, filled in."""
    for key, value in labels.items():
        template = template.replace("{{" + key + "}}", value)
    return template


def draw_panel(ax: Any, panel: dict[str, Any], prometheus: str, start: float, end: float) -> None:
    """One panel: its title, then its series or its last value."""
    ax.set_facecolor(PANEL)
    ax.set_title(panel["title"], color=TEXT, fontsize=9, loc="left")
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
    for spine in ax.spines.values():
        spine.set_color(GRID)
    series = [
        (legend(t.get("legendFormat", ""), s["metric"]), s["values"])
        for t in panel["targets"]
        for s in query_range(prometheus, t["expr"], start, end)
    ]
    if panel["type"] == "stat":
        ax.set_xticks([])
        ax.set_yticks([])
        last = float(series[0][1][-1][1]) if series and series[0][1] else None
        if last is None:
            shown = "-"
        elif unit == "percentunit":
            shown = f"{last:.1%}"
        else:
            shown = f"{last:,.0f}" if abs(last) >= 100 else f"{last:.3g}"
        if last is not None and unit == "s":
            shown += " s"
        ax.text(0.5, 0.45, shown, color="#73bf69", fontsize=20, ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
        return
    ax.tick_params(colors=TEXT, labelsize=6)
    ax.grid(color=GRID, linewidth=0.5)
    for name, values in series:
        xs = [(float(t) - end) / 60 for t, _ in values]
        ys = [float(v) for _, v in values]
        ax.plot(xs, ys, linewidth=1.2, label=name[:40])
    ax.set_xlabel("minutes ago", color=TEXT, fontsize=6)
    if unit in UNITS:
        ax.set_ylabel(UNITS[unit].strip(), color=TEXT, fontsize=6)
    if series:
        ax.legend(fontsize=5, loc="upper left", facecolor=PANEL, labelcolor=TEXT, framealpha=0.6)


def render(prometheus: str, minutes: float, out: Path) -> None:
    """Draw the whole dashboard over the last `minutes` into `out`."""
    dashboard = json.loads(DASHBOARD.read_text())
    end = time.time()
    start = end - minutes * 60
    rows = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in dashboard["panels"])
    fig = plt.figure(figsize=(16, rows * 0.42), facecolor=BACKGROUND)
    grid = fig.add_gridspec(rows, 24, hspace=2.4, wspace=0.6, top=0.95)
    for panel in dashboard["panels"]:
        pos = panel["gridPos"]
        ax = fig.add_subplot(grid[pos["y"] : pos["y"] + pos["h"], pos["x"] : pos["x"] + pos["w"]])
        draw_panel(ax, panel, prometheus, start, end)
    fig.suptitle(f"{dashboard['title']} (rendered from Prometheus, last {minutes:g} min)",
                 color=TEXT, fontsize=12, x=0.13, y=0.975, ha="left")  # fmt: skip
    fig.savefig(out, dpi=110, facecolor=BACKGROUND, bbox_inches="tight")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prometheus", default="http://127.0.0.1:9090")
    parser.add_argument("--minutes", type=float, default=15)
    parser.add_argument("--out", type=Path, default=Path("docs/dashboard.png"))
    args = parser.parse_args()
    render(args.prometheus, args.minutes, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
