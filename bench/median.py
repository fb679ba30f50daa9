"""The median of several bench runs, as the README's table: `python bench/median.py RUN.json RUN.json RUN.json`.

Each cell's req/s, p99 and CPU per request is the median over the runs (of the same settings) for
Objectbase and its peer separately, and the ratio is the median of the runs' own ratios (each
measured in one run, on the same machine at the same time, which is what a ratio compares).
Prints a Markdown table per pair at concurrency 16, then the 1- and 2-worker PostgreSQL table."""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

from run import TARGET_CONCURRENCY, TARGETS, TITLES, WORKLOADS, target_text

Cells = dict[tuple[str, str, int], dict[str, Any]]


def _cells(path: Path) -> Cells:
    results = json.loads(path.read_text())
    return {(c["system"], c["workload"], c["concurrency"]): c for c in results["cells"] if c.get("status") == "ok"}


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _of(runs: list[Cells], key: tuple[str, str, int], field: str) -> float | None:
    return _median([run[key][field] for run in runs if key in run and run[key].get(field) is not None])


def _fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def pair_table(runs: list[Cells], backend: str) -> list[str]:
    ours, peer, targets = TARGETS[backend]
    c = TARGET_CONCURRENCY
    lines = [f"| workload (c={c}) | {peer} req/s | p99 ms | Objectbase req/s | p99 ms | CPU ms/req | ratio | goal |",
             "|---|--:|--:|--:|--:|--:|--:|:--|"]
    for workload in WORKLOADS:
        mine, theirs = (ours, workload, c), (peer, workload, c)
        ratios = [run[mine]["rps"] / run[theirs]["rps"] for run in runs if mine in run and theirs in run]
        ratio = _median(ratios)
        goal = targets[workload]
        verdict = "n/a" if ratio is None else ("met" if ratio >= goal else "not met")
        lines.append(f"| {workload} {TITLES[workload]} | {_fmt(_of(runs, theirs, 'rps'))} | "
                     f"{_fmt(_of(runs, theirs, 'p99_ms'), 1)} | {_fmt(_of(runs, mine, 'rps'))} | "
                     f"{_fmt(_of(runs, mine, 'p99_ms'), 1)} | {_fmt(_of(runs, mine, 'cpu_ms_per_request'), 2)} | "
                     f"{_fmt(ratio, 2)}x | ≥ {goal:.1f}x {verdict} |")
    return lines


def workers_table(runs: list[Cells]) -> list[str]:
    one, two = "objectbase-postgresql", "objectbase-postgresql-2w"
    lines = ["| workload (c=16) | 1 worker req/s | CPU ms/req | 2 workers req/s | CPU ms/req |", "|---|--:|--:|--:|--:|"]
    for workload in WORKLOADS:
        a, b = (one, workload, TARGET_CONCURRENCY), (two, workload, TARGET_CONCURRENCY)
        lines.append(f"| {workload} {TITLES[workload]} | {_fmt(_of(runs, a, 'rps'))} | "
                     f"{_fmt(_of(runs, a, 'cpu_ms_per_request'), 2)} | {_fmt(_of(runs, b, 'rps'))} | "
                     f"{_fmt(_of(runs, b, 'cpu_ms_per_request'), 2)} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("runs", nargs="+", type=Path, help="bench/results/bench-*.json files")
    args = parser.parse_args()
    runs = [_cells(path) for path in args.runs]
    print(f"Median of {len(runs)} runs: {', '.join(p.name for p in args.runs)}\n")
    for backend in TARGETS:
        print(f"{backend} (goal: {target_text(TARGETS[backend][2])})\n")
        print("\n".join(pair_table(runs, backend)) + "\n")
    print("PostgreSQL, one and two workers on the same server core\n")
    print("\n".join(workers_table(runs)))


if __name__ == "__main__":
    main()
