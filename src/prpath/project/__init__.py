"""The Django shell around the clinical core: settings, pages, and (in later issues) the clinic's apps."""
