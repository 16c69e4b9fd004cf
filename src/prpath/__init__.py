"""prpath: care-pathway software for platelet-rich plasma (PRP) injections for back pain."""

from __future__ import annotations

__version__ = "0.1.0"
