"""The database keeps a protocol version once it has been active: triggers refuse to change the text of a
version that is not a draft, to make it a draft again, to bring a retired one back, or to remove one; a
draft moves forward only (draft, active, retired). (prpath's SQLite backend lifts them for a
whole-database flush, as for the audit trail.)"""

from __future__ import annotations

from prpath.audit.triggers import Triggers

TABLE = "clinic_protocolversion"
MESSAGE = "a protocol version that has been active keeps its text"
# What no change may do to a version that has left draft (the same test on both engines).
_REFUSED = (
    "NEW.document IS DISTINCT FROM OLD.document OR NEW.content_hash IS DISTINCT FROM OLD.content_hash "
    "OR NEW.state = 'draft' OR (OLD.state = 'retired' AND NEW.state <> 'retired')"
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
