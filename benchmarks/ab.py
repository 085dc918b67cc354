"""Side by side: one command under two trees of tracker, alternated, median CPU seconds.

    git worktree add /tmp/base 51c1233
    python benchmarks/ab.py --base /tmp/base --runs 11 -- tracker --db sqlite:///demo.db due

Each round runs the command once with ``PYTHONPATH`` at ``--base`` and once at this checkout
(``--new``, default: the folder above this script), so a machine that slows down or speeds up
during the measurement affects both alike. Prints the median wall and CPU seconds of each and
the ratio new/base of the CPU medians. Output of the command is discarded.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="checkout of the earlier commit")
    parser.add_argument("--new", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--runs", type=int, default=5, help="rounds (one run of each tree per round)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as run.py: measure with compiled bytecode
    times: dict[str, list[tuple[float, float]]] = {"base": [], "new": []}
    for _ in range(args.runs):
        for name, tree in (("base", args.base), ("new", args.new)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(env, PYTHONPATH=str(tree))
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            times[name].append((wall, cpu))
    for name, runs in times.items():
        print(
            f"{name}: wall median {statistics.median(w for w, _ in runs):.3f} s, "
            f"cpu median {statistics.median(c for _, c in runs):.3f} s"
        )
    ratio = statistics.median(c for _, c in times["new"]) / statistics.median(c for _, c in times["base"])
    print(f"new/base cpu = {ratio:.2f}")
    return ratio


if __name__ == "__main__":
    main()
