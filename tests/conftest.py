from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
OWN_VIGNETTES = ROOT / "tests" / "vignettes"
PUBLIC_VIGNETTES = ROOT.parent / "shared" / "vignettes" / "public"
ARTIFACTS = ROOT / "tests" / "artifacts"
