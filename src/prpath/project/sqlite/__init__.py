"""Django's SQLite backend, with one difference: emptying the whole database (``flush``) lifts the audit
trail's append-only triggers for that statement, as TRUNCATE does on PostgreSQL. Every other UPDATE or
DELETE of an audit row is still refused by the database."""
