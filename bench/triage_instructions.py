"""Instructions per triage evaluation, counted by valgrind (callgrind): a figure that does not move
with the load on a shared machine, for comparing changes to the engine.

    .venv/bin/python bench/triage_instructions.py

Each figure is (instructions for N evaluations - instructions for none) / N, for the same vignette as
bench/triage_bench.py: "parse" is JSON parse and validation, "triage" the protocol checks and the
assessment, "all" both. Needs valgrind (apt-get install -y valgrind); takes about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

N = 500


def worker(mode: str, count: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from prpath.core.suite.vignettes import parse_vignette
    from prpath.core.triage import triage
    from prpath.files.protocols import default_protocol
    from triage_bench import vignette_with_14_checkins

    protocol, text = default_protocol(), vignette_with_14_checkins()
    case = parse_vignette(text).case
    run: Callable[[], object] = {
        "parse": lambda: parse_vignette(text),
        "triage": lambda: triage(protocol, case),
        "all": lambda: triage(protocol, parse_vignette(text).case),
    }[mode]
    for _ in range(50 + count):  # the first 50 warm up, in both runs
        run()


def instructions(mode: str, count: int) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, mode, str(count)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    assert found, done.stderr[-2000:]
    return int(found.group(1))


def main() -> None:
    if len(sys.argv) == 3:
        worker(sys.argv[1], int(sys.argv[2]))
        return
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install -y valgrind): no instruction counts")
        return
    for mode in ("parse", "triage", "all"):
        per_evaluation = (instructions(mode, N) - instructions(mode, 0)) / N
        print(f"{mode}: {per_evaluation:,.0f} instructions per evaluation")


if __name__ == "__main__":
    main()
