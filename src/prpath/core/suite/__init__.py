"""The safety suite: vignettes (``../shared/vignettes/FORMAT.md``) triaged and checked against their
answer keys. A clinic runs it before a protocol version becomes active."""
