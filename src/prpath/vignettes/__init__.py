"""The triage interchange format (``../shared/vignettes/FORMAT.md``): reading vignette files,
evaluating them, and checking the engine against their answer keys."""
