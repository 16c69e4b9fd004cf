"""Reading a clinic's records: tenant-scoped functions that return typed view models, for the pages
now and the API and exports next. A query that shows patient data records the read in the audit trail.
Nothing here writes anything else."""
