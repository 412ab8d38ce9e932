"""Accuracy against the share of cloud calls, one line per router, device-only and cloud-only marked."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from harness.eval.route.metrics import Curve


def plot(curves: Mapping[str, Curve], path: Path, title: str) -> Path:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise RuntimeError("the plot needs matplotlib: pip install 'tandem-edge[eval]'") from exc
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for name, c in curves.items():
        grey = name == "random"
        ax.plot([100 * s for s in c.shares], [100 * a for a in c.accuracy], label=f"{name} (APGR {c.apgr():.2f})",
                linestyle="--" if grey else "-", color="grey" if grey else None)
    any_curve = next(iter(curves.values()))
    ax.axhline(100 * any_curve.device_accuracy, color="tab:red", linewidth=0.8, linestyle=":", label="device only")
    ax.axhline(100 * any_curve.cloud_accuracy, color="tab:green", linewidth=0.8, linestyle=":", label="cloud only")
    ax.set_xlabel("share of requests sent to the cloud (%)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("\n".join(textwrap.wrap(title, 70)), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
