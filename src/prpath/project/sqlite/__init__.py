"""Django's SQLite backend, with two differences. Emptying the whole database (``flush``) lifts the audit
trail's append-only triggers for that statement, as TRUNCATE does on PostgreSQL; every other UPDATE or
DELETE of an audit row is still refused by the database. And the database file holds patient data, so it
is readable by its owner only: created with mode 0600 before SQLite opens it (SQLite gives the -wal and
-shm files it makes the database file's permissions), and an older one left readable by others is narrowed
when it is opened."""
