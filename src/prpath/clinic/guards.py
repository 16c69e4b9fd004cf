"""The database keeps a protocol version once it has left draft: triggers refuse any change to it but one,
the move from active to retired (its state and the time), and refuse to remove it. Its text, its label,
who activated it, the reasons and the suite's verdict stay as they were when patients were first told by
it. (prpath's SQLite backend lifts the triggers for a whole-database flush, as for the audit trail.)

Migration 0002 installs what this module says when it is applied: a change here reaches a database already
migrated only through a new migration that removes the triggers and installs them again."""

from __future__ import annotations

from prpath.audit.triggers import Triggers

TABLE = "clinic_protocolversion"
MESSAGE = "a protocol version that has been active keeps its text"
# Every column but state and retired_at (tests/clinic/test_protocol_versions.py holds this to the model, so a
# column added later is kept too unless someone decides otherwise).
KEPT_COLUMNS = (
    "id",
    "uuid",
    "clinic_id",
    "number",
    "document",
    "content_hash",
    "name",
    "version_label",
    "based_on_id",
    "created_by_id",
    "created_at",
    "updated_at",
    "activated_by_id",
    "activated_at",
    "activation_reasons",
    "suite_summary",
)
_CHANGED = " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in KEPT_COLUMNS)
# What no change may do to a version that has left draft (the same test on both engines).
_REFUSED = (
    f"{_CHANGED} OR NEW.state = 'draft' OR (OLD.state = 'retired' AND NEW.state <> 'retired') "
    "OR (OLD.state = 'retired' AND NEW.retired_at IS DISTINCT FROM OLD.retired_at)"
)

SQLITE_INSTALL = [
    f"CREATE TRIGGER protocol_version_text_kept BEFORE UPDATE ON {TABLE} "
    f"WHEN OLD.state <> 'draft' AND ({_REFUSED.replace('IS DISTINCT FROM', 'IS NOT')}) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
    f"CREATE TRIGGER protocol_version_kept BEFORE DELETE ON {TABLE} "
    f"WHEN OLD.state <> 'draft' BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS protocol_version_text_kept", "DROP TRIGGER IF EXISTS protocol_version_kept"]

POSTGRESQL_INSTALL = [
    "CREATE FUNCTION protocol_version_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'DELETE' OR {_REFUSED} THEN "
    f"RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation'; END IF; "
    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
    f"CREATE TRIGGER protocol_version_kept BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW WHEN (OLD.state <> 'draft') EXECUTE FUNCTION protocol_version_refuse_change()",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS protocol_version_kept ON {TABLE}",
    "DROP FUNCTION IF EXISTS protocol_version_refuse_change()",
]


PROTOCOL_VERSIONS = Triggers(
    TABLE,
    tuple(SQLITE_INSTALL),
    tuple(SQLITE_REMOVE),
    tuple(POSTGRESQL_INSTALL),
    tuple(POSTGRESQL_REMOVE),
)
