"""The clinic app: tenants, people and records; the actions that change them, the queries that read
them, and their pages."""
