"""The database refuses to change or remove an audit row: triggers on SQLite and PostgreSQL.

Used by the migration that installs them and by prpath's SQLite backend, whose ``flush`` (emptying the
whole database, as tests and a demo reset do) lifts them for that one statement, as PostgreSQL's
TRUNCATE passes row triggers by. Migration 0002 installs what this module says when it is applied: a change
here reaches a database already migrated only through a new migration.
"""

from __future__ import annotations

from prpath.audit.triggers import Triggers

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

SQLITE_INSTALL = [
    f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
    f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]

POSTGRESQL_INSTALL = [
    "CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation'; END $$",
    f"CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
]


AUDIT_EVENTS = Triggers(
    TABLE,
    tuple(SQLITE_INSTALL),
    tuple(SQLITE_REMOVE),
    tuple(POSTGRESQL_INSTALL),
    tuple(POSTGRESQL_REMOVE),
)
