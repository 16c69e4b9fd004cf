"""The clinic app under load from synthetic patients: recording a check-in (triage + alert + audit, one
transaction) and rendering the two list pages, on the database named by DATABASE_URL (SQLite by default).

    .venv/bin/python bench/clinic_bench.py [--patients 300] [--checkins 200]

It builds a throwaway database in a temporary data folder (SQLite) or in the database DATABASE_URL names
(which it flushes: never point it at real data). Figures are milliseconds per operation, median and
95th percentile, plus the number of SQL queries each list page runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--checkins", type=int, default=200)
    args = parser.parse_args()

    os.environ.setdefault("PRPATH_DATA_DIR", tempfile.mkdtemp(prefix="prpath-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "prpath.project.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from prpath.audit.actors import Actor
    from prpath.clinic.actions.checkins import CheckInReport, do_record_checkin
    from prpath.clinic.demo import load_demo_clinic
    from prpath.clinic.models import Clinic, Patient, Stage
    from prpath.clinic.queries.protocols import protocol_for
    from prpath.clinic.translate import clinic_today

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # accounts, not hashing, here
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)

    started = time.perf_counter()
    load_demo_clinic(patients=args.patients)
    loaded = time.perf_counter() - started
    clinic = Clinic.objects.get()
    print(f"prpath clinic bench: {connection.vendor}, Python {platform.python_version()}, {platform.machine()}")
    print(f"loaded {args.patients} synthetic patients in {loaded:.1f} s")

    # Check-ins: recovering patients report again today (an amendment after the first pass).
    recovering = list(Patient.objects.filter(clinic=clinic, stage=Stage.INJECTED).select_related("user"))
    today = clinic_today(clinic, timezone.now())
    timings = []
    for n in range(args.checkins):
        patient = recovering[n % len(recovering)]
        t0 = time.perf_counter()
        report_ = CheckInReport(date=today, pain=4 + n % 4, temperature_c=Decimal("38.2") if n % 9 == 0 else None)
        # As the page does: the clinic's protocol is read for each report.
        do_record_checkin(
            Actor.patient(patient.user), patient, report_, protocol=protocol_for(clinic), now=timezone.now()
        )
        timings.append((time.perf_counter() - t0) * 1000)
    report("record a check-in", timings)

    client = Client()
    client.force_login(clinic.staff.get(role="nurse").user)
    for name, path in [("alert worklist", "/clinic/alerts/"), ("patient list (page of 50)", "/clinic/patients/")]:
        samples = []
        for _ in range(30):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        report(f"{name}, {len(queries)} queries", samples)
    return 0


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"{name:<40} median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   (n={len(ordered)})")


if __name__ == "__main__":
    sys.exit(main())
