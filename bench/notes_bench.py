"""How long reading a patient's note takes: the first call (building the spaCy pipeline), a short note, a
note of ordinary sentences at the protocol's length limit, and the worst shapes found in review (a limit's
worth of the same symptom word, or of numbers). Each figure is the median of several rounds on one core.

    .venv/bin/python bench/notes_bench.py [--rounds 5]

The machines here share their host; compare figures measured side by side in one run.
"""

from __future__ import annotations

import argparse
import statistics
import time

from prpath.core.notes import read_note
from prpath.files.protocols import default_protocol

SHORT = "My right leg keeps giving way when I walk to the kitchen, and I wet myself this morning."
PROSE = "Walked to the shops and back, a bit sore where the needle went in but nothing else to report. "


def timed(text: str, rounds: int) -> float:
    rules = default_protocol().notes
    assert rules is not None
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        read_note(rules, text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
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
        print(f"{name}: {1000 * timed(text, args.rounds):.1f} ms (median of {args.rounds})")


if __name__ == "__main__":
    main()
