"""How long reading a patient's note takes: the first call (building the spaCy pipeline), a short note, a
note of ordinary sentences at the protocol's length limit, and the worst shapes found in review (a limit's
worth of the same symptom word, or of numbers). Each figure is the median and the 99th percentile of many
rounds, pinned to one core. The goal for an ordinary note at the limit: under 5 ms median.

    .venv/bin/python bench/notes_bench.py [--rounds 200]

The machines here share their host; compare figures measured side by side in one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from prpath.core.notes import read_note
from prpath.files.protocols import default_protocol

SHORT = "My right leg keeps giving way when I walk to the kitchen, and I wet myself this morning."
PROSE = "Walked to the shops and back, a bit sore where the needle went in but nothing else to report. "


def timed(text: str, rounds: int) -> tuple[float, float]:
    """The median and 99th percentile, in milliseconds."""
    rules = default_protocol().notes
    assert rules is not None
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        read_note(rules, text)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), statistics.quantiles(times, n=100)[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the goal says
    rules = default_protocol().notes
    assert rules is not None
    limit = rules.max_length
    start = time.perf_counter()
    read_note(rules, "first")
    print(f"first call (builds the pipeline): {1000 * (time.perf_counter() - start):.0f} ms")
    cases = {
        f"short note ({len(SHORT)} characters)": SHORT,
        f"ordinary sentences ({limit} characters)": (PROSE * (limit // len(PROSE) + 1))[:limit],
        f"'numb ' repeated ({limit} characters)": ("numb " * limit)[:limit],
        f"'no numbness ' repeated ({limit} characters)": ("no numbness " * limit)[:limit],
        f"'38.5 ' repeated ({limit} characters)": ("38.5 " * limit)[:limit],
    }
    for name, text in cases.items():
        rounds = args.rounds if "repeated" not in name else max(10, args.rounds // 10)  # the worst shapes are slow
        median, p99 = timed(text, rounds)
        print(f"{name}: median {median:.1f} ms, p99 {p99:.1f} ms ({rounds} rounds)")


if __name__ == "__main__":
    main()
