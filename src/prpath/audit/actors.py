"""Who acts: a staff member, a patient, an API key or prpath itself. Every action takes one, and every
audit row names it."""

from __future__ import annotations

from dataclasses import dataclass

from prpath.accounts.models import User
from prpath.audit.models import ActorKind


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in staff member or patient, an API key, or prpath itself (the worker, the
    command line). ``label`` names the part of the system or the key."""

    kind: ActorKind
    user: User | None = None
    label: str = ""

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(ActorKind.STAFF, user)

    @classmethod
    def patient(cls, user: User) -> Actor:
        return cls(ActorKind.PATIENT, user)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(ActorKind.SYSTEM, None, label)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    def __str__(self) -> str:
        if self.user is not None:
            return self.user.get_full_name() or str(self.user)
        return f"{self.kind.label}: {self.label}" if self.label else str(self.kind.label)
