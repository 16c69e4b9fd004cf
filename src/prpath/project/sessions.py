"""Django's database sessions, where a session key is only ever what Django makes: a cookie holding
anything else (a NUL byte, which PostgreSQL refuses in a query; a key longer than the column) is no session,
as a key not found is."""

from __future__ import annotations

import re

from django.contrib.sessions.backends import db

# Django's keys are 32 of VALID_KEY_CHARS (a-z, 0-9); its column holds 40, and it refuses fewer than 8.
SESSION_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return key is not None and SESSION_KEY.fullmatch(key) is not None
