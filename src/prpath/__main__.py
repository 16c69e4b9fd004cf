from __future__ import annotations

from prpath.cli import main

raise SystemExit(main())
