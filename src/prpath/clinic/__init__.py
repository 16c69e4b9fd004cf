"""The clinic app: tenants, people, records, the services that change them, and their pages."""
