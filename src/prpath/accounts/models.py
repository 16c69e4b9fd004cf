"""Who signs in: one ``User`` per person, their email the login, and the single-use links that let them
choose a password. Nothing here knows about clinics: a user is made staff or a patient by the clinic app.

A user made without a password (a patient at enrolment, a colleague added by an admin) cannot sign in
until its owner chooses one through an ``AccessLink``: nobody else ever knows it. A patient's account has
no login email until they accept their invitation: the clinic enrols them with an email, and the same
person may be enrolled by two clinics. The first link accepted makes the email a login; a later one is
accepted by signing in with it, and its clinic's record moves to that account (one person, one login).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models

EMAIL_MAX_LENGTH = 150
LINK_DAYS = 7


def normal_email(email: object) -> str:
    """Logins are stored in lower case: "Ada@Example.org " typed on a phone is the same person."""
    return str(email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str | None, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=normal_email(email) or None, **fields)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normal_email(username))


class User(AbstractBaseUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The login; empty (NULL) for a patient who has not accepted their invitation yet.
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH, unique=True, null=True, blank=True)
    given_name = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True, help_text="When they first chose a password.")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["given_name", "family_name"]

    objects = UserManager()

    def __str__(self) -> str:
        return self.email or f"{self.get_full_name()} (not joined)"

    def get_full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def get_short_name(self) -> str:
        return self.given_name

    @property
    def has_joined(self) -> bool:
        return self.joined_at is not None


class LinkPurpose(models.TextChoices):
    INVITATION = "invitation", "Invitation"  # a patient's first password
    SIGN_UP = "sign_up", "Staff sign-up"  # a colleague's first password, or a new one after reactivation
    NEW_PASSWORD = "new_password", "New password"  # someone who has lost theirs


class AccessLink(models.Model):
    """A single-use, expiring link that lets its user choose a password. Only a hash of the token is kept;
    a newer link for the same user makes the older ones unusable."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_links")
    purpose = models.CharField(max_length=20, choices=LinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} link for user {self.user_id} ({self.created_at:%Y-%m-%d})"

    def is_usable(self, now: dt.datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


def new_token() -> tuple[str, str]:
    """A link's token (given once, never stored) and the hash that is stored."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
