"""`make bench`: run every benchmark and print one table, each figure beside its baseline."""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

MODULES = [
    "bench_startup",
    "bench_reload",
    "bench_restart",
    "bench_dashboard",
    "bench_requests",
    "bench_specs",
    "bench_container",
    "bench_realworld",
    "bench_faults",
    "bench_frontend",
]
COLUMNS = ("benchmark", "figure", "value", "baseline", "baseline_value", "unit")


def main(argv: list[str]) -> int:
    wanted = [m for m in MODULES if not argv or any(a in m for a in argv)]
    rows: list[dict[str, Any]] = []
    failed = []
    for name in wanted:
        started = time.monotonic()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError:
            print(f"  {name}: not present, skipped", file=sys.stderr)
            continue
        try:
            rows.extend(module.run())
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            failed.append(name)
            traceback.print_exc()
        print(f"  {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(rows))
    out = Path("artifacts/bench.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))
    return 1 if failed else 0


def table(rows: list[dict[str, Any]]) -> str:
    headers = ("benchmark", "figure", "devserver", "baseline", "baseline value", "unit")
    cells = [[str(r[c]) for c in COLUMNS] for r in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headers)]

    def line(values: tuple[str, ...] | list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    sep = "|-" + "-|-".join("-" * w for w in widths) + "-|"
    return "\n".join([line(headers), sep, *(line(c) for c in cells)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
