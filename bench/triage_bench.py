"""Triage evaluations per second for a recovery vignette with 14 check-ins, on one core.

Two figures: from the vignette's JSON text (parse, validate, check, triage: what `prpath triage` does
for a file), and from Python values (validate, check, triage: what the web app does with a patient's
record from the database). Goal (issue 2): at least 20,000 per second.

    .venv/bin/python bench/triage_bench.py [--rounds 7] [--seconds 1]

The machines here share their host: figures move by a factor of two from minute to minute. The script
prints the best and the median round, and a reference loop timed on the same core to compare machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import time
import timeit
from collections.abc import Callable
from typing import Any

from prpath.core.suite.vignettes import parse_vignette
from prpath.core.triage import Case, triage
from prpath.files.protocols import default_protocol

INJECTION = dt.date(2026, 3, 2)


def vignette_with_14_checkins() -> str:
    checkins = []
    for day in range(1, 15):
        symptoms = {"injection_site_pain": "mild"} if day <= 5 else {}
        if day <= 10:
            symptoms["injection_site_bruising"] = "mild"
        checkins.append(
            {
                "date": (INJECTION + dt.timedelta(days=day)).isoformat(),
                "pain": max(2, 8 - day // 2),
                "temperature_c": 36.8 + (day % 3) / 10,
                "symptoms": symptoms,
            }
        )
    checkins[-1]["symptoms"] = {"leg_tingling": "moderate", "injection_site_redness": "mild"}
    checkins[-1]["temperature_c"] = 38.2
    return json.dumps(
        {
            "id": "bench-14",
            "phase": "recovery",
            "patient": {
                "age": 58,
                "sex": "female",
                "conditions": ["degenerative_disc_disease", "sciatica"],
                "history": ["nsaid_use"],
                "baseline": {"pain": 7, "pain_trend": "stable", "symptoms": {"leg_tingling": "mild"}},
            },
            "procedure": {"date": INJECTION.isoformat(), "target": "intradiscal"},
            "checkins": checkins,
        }
    )


def reference_loop_microseconds() -> float:
    """A fixed pure-Python loop, timed on the same core: a yardstick for comparing machines."""
    best = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5))
    return best / 2000 * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds of --seconds each (default 7)")
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    protocol = default_protocol()
    text = vignette_with_14_checkins()

    values = python_values(text)

    def from_json() -> str:
        # As `prpath triage` evaluates a file: parse the JSON text, validate, check, triage.
        return triage(protocol, parse_vignette(text).case).disposition.value

    def from_values() -> str:
        # As the web app will: validate Python values read from the database, check, triage.
        return triage(protocol, Case.model_validate(values)).disposition.value

    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {python}")
    print(f"reference loop (sum(range(1000))): {reference_loop_microseconds():.1f} µs")
    print(f"vignette: recovery, 14 check-ins, disposition {from_json()}; one core; {args.rounds} x {args.seconds:g} s")
    for label, evaluate in (("from JSON text", from_json), ("from Python values", from_values)):
        rates = measure(evaluate, args.rounds, args.seconds)
        print(
            f"triage evaluations per second, {label}, input validation included: {max(rates):,.0f} "
            f"(best round; median {statistics.median(rates):,.0f}; goal: 20,000)"
        )


def python_values(text: str) -> dict[str, Any]:
    """The vignette as the database would give it: dates as dates, no id or answer key."""
    document: dict[str, Any] = json.loads(text)
    document["procedure"]["date"] = dt.date.fromisoformat(document["procedure"]["date"])
    for checkin in document["checkins"]:
        checkin["date"] = dt.date.fromisoformat(checkin["date"])
    return {key: document[key] for key in ("phase", "patient", "procedure", "checkins")}


def measure(evaluate: Callable[[], str], rounds: int, seconds: float) -> list[float]:
    for _ in range(500):  # warm up
        evaluate()
    rates = []
    for _ in range(rounds):
        count, start = 0, time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(200):
                evaluate()
            count += 200
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(count / (now - start))
    return rates


if __name__ == "__main__":
    main()
