"""What a cold build costs by what it computes: the same runs built as shipped, without the
slices' AP intervals (`evaluation: {slice_bootstrap: 0}`), without any bootstrap interval
(`evaluation: {bootstrap: 0}`), and without evaluating predictions at all
(`evaluation: {enabled: false}`).

    python bench/bench_cold_floor.py --sizes 1000
    python bench/bench_cold_floor.py --sizes 10000 --runs /tmp/n10000/runs   # runs made before

Each build is a cold `reporter build` in a fresh process, timed as `bench_scale.py` times it,
`--rounds` times per variant; rounds alternate the variants' order, so a machine speeding up or
slowing down during the bench favours none. For each variant it prints the wall seconds,
reporter's own work (`BuildResult.reporter_seconds`) and the CPU seconds of the build and every
process it started. The CPU figure bounds the wall time from below: on C cores this build
cannot finish in less than CPU / C seconds. Issue 17's cold targets (10,000 runs in 120 s, own
work at 1,000 runs at most 0.3x bare MkDocs) are read against these floors.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import BUILD, REPORTER_YML, _measured_code, child  # noqa: E402
from synthetic import write_runs  # noqa: E402

VARIANTS = {
    "as shipped": "{runs: runs}",
    "no slice AP": "{runs: runs, evaluation: {slice_bootstrap: 0}}",
    "no intervals": "{runs: runs, evaluation: {bootstrap: 0}}",
    "no evaluation": "{runs: runs, evaluation: {enabled: false}}",
}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_build(project: Path, options: str, runs: Path) -> dict[str, float]:
    """A cold build of `runs` (linked, never written) with these reporter options. The project
    is removed afterwards: at 10,000 runs its site and cache take several GB."""
    project.mkdir(parents=True)
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Bench\n\n<!-- reporter:home -->\n")
    (project / "mkdocs.yml").write_text(REPORTER_YML.replace("{runs: runs}", options))
    (project / "runs").symlink_to(runs.resolve(), target_is_directory=True)
    before = children_cpu()
    out, seconds, _ = child([sys.executable, "-c", BUILD, str(project / "mkdocs.yml")], project)
    result = json.loads(out)
    shutil.rmtree(project)
    return {"seconds": seconds, "own": result["reporter"], "cpu": children_cpu() - before}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--rows", type=int, default=6000, help="prediction rows per run")
    parser.add_argument("--steps", type=int, default=1000, help="history steps per run")
    parser.add_argument("--runs", type=Path, help="existing runs to build (one size only)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds of every variant, in alternating order"
    )
    args = parser.parse_args()
    if args.runs and len(args.sizes) != 1:
        parser.error("--runs goes with one size")
    cores = os.cpu_count() or 1
    print(f"measuring the reporter in {_measured_code()}, {cores} cores")
    print("each variant's fastest round, and its slowest in brackets (this machine's speed drifts)")
    print(f"{'N':>6} {'variant':<14} {'s':>15} {'own s':>15} {'CPU s':>15} {'CPU/cores':>10}")
    with tempfile.TemporaryDirectory(prefix="reporter-floor-") as tmp:
        for n in args.sizes:
            runs = args.runs
            if runs is None:
                runs = Path(tmp) / f"runs-{n}"
                write_runs(runs, n, steps=args.steps, predictions=args.rows)
            rounds: dict[str, list[dict[str, float]]] = {variant: [] for variant in VARIANTS}
            for k in range(max(1, args.rounds)):  # forward, then backward: drift evens out
                order = list(VARIANTS.items())[:: 1 if k % 2 == 0 else -1]
                for variant, options in order:
                    project = Path(tmp) / f"n{n}-{k}-{len(rounds[variant])}-{variant[:2]}"
                    rounds[variant].append(cold_build(project, options, runs))
            for variant, results in rounds.items():
                cells = [
                    f"{min(r[key] for r in results):>7.1f} [{max(r[key] for r in results):>5.1f}]"
                    for key in ("seconds", "own", "cpu")
                ]
                fastest_cpu = min(r["cpu"] for r in results)
                print(f"{n:>6} {variant:<14} {' '.join(cells)} {fastest_cpu / cores:>10.1f}")


if __name__ == "__main__":
    main()
