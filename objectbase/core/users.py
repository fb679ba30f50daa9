"""App users: sign-up, profile, tags (the groups of ACLs), credentials."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import (
    ConflictError, FieldError, NeedUserError, NotFoundError, NotOwnerError, PermissionDeniedError,
    UnauthenticatedError, ValidationError,
)
from objectbase.core.events import make_event
from objectbase.core.models import USER_PROFILE_FIELDS, User
from objectbase.core.query import ast
from objectbase.core.query.bind import check_values
from objectbase.core.sign_in_limits import SignInLimits
from objectbase.core.storable import check_int64, check_storable, is_storable_text
from objectbase.core.unit_of_work import Committing, EventRows, Storage, UserRows, writes
from objectbase.security.passwords import Passwords

__all__ = [
    "LoginCredentials", "MAX_PER_PAGE", "NewUser", "ProfileValues", "UserChanges", "UserPage", "UserService",
    "is_valid_tag", "password_too_short", "user_snapshot",
]

MAX_PER_PAGE = 100
MIN_PASSWORD_LENGTH = 8
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAG = re.compile(r"^[^,\x00]{1,255}$")
_UNIQUE = ("login", "email", "external_user_id")

# Profile attributes (USER_PROFILE_FIELDS) by name: text, `blob_id` an integer, None to clear.
ProfileValues = Mapping[str, "str | int | None"]


@dataclass(frozen=True)
class NewUser:
    profile: ProfileValues
    password: str | None
    tags: tuple[str, ...] = ()
    is_admin: bool = False


@dataclass(frozen=True)
class UserChanges:
    """Only what is given changes: profile attributes present in `profile`, tags unless None."""

    profile: ProfileValues = field(default_factory=dict)
    password: str | None = None
    # The user's current password, needed to set a new one (unless the app's administrator does).
    current_password: str | None = None
    tags: tuple[str, ...] | None = None
    # Whether the user is an administrator of the app: only the app's administrator changes it.
    is_admin: bool | None = None


@dataclass(frozen=True)
class LoginCredentials:
    """Login or email, and password: the first of login and email that is given is looked up."""

    password: str
    login: str | None = None
    email: str | None = None


def password_too_short() -> ValidationError:
    return ValidationError.single("password", "too_short",
                                  f"is too short (minimum is {MIN_PASSWORD_LENGTH} characters)")


def is_valid_tag(tag: str) -> bool:
    return bool(_TAG.match(tag)) and is_storable_text(tag)


def _checked_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    if not all(is_valid_tag(t) for t in tags):
        raise ValidationError.single("tags", "invalid", "has a tag that is too long or not text")
    return tuple(dict.fromkeys(tags))


def user_snapshot(user: User) -> dict[str, Any]:
    """What the event history keeps of a user (never the password hash)."""
    data = {name: getattr(user, name) for name in USER_PROFILE_FIELDS}
    data["tags"] = list(user.tags)
    data["is_admin"] = user.is_admin
    return data


class UserPage:
    def __init__(self, users: list[User], total: int, page: int, per_page: int) -> None:
        self.users, self.total, self.page, self.per_page = users, total, page, per_page



class UserTransaction(Committing, UserRows, EventRows, Protocol):
    """What the user service reads and writes."""


class UserService:
    def __init__(self, storage: Storage[UserTransaction], passwords: Passwords | None = None,
                 limits: SignInLimits | None = None) -> None:
        self.storage = storage
        self.passwords = passwords or Passwords()
        self.limits = limits or SignInLimits()

    # -- validation -------------------------------------------------------------------------
    @staticmethod
    def _profile_values(profile: ProfileValues, *, creating: bool) -> dict[str, Any]:
        # Types are the dialect's to read (ProfileValues); the rules on the values are the core's.
        errors: dict[str, list[FieldError]] = {}
        values: dict[str, Any] = {name: None if profile[name] == "" else check_storable(name, profile[name])
                                  for name in USER_PROFILE_FIELDS if name in profile}
        if values.get("email") and not _EMAIL.match(values["email"]):
            errors["email"] = [FieldError("invalid", "is invalid")]
        if values.get("login") is not None and not 1 <= len(values["login"]) <= 255:
            errors["login"] = [FieldError("invalid", "is invalid")]
        if creating and not values.get("login") and not values.get("email"):
            errors["base"] = [FieldError("blank", "login or email is required")]
        if errors:
            raise ValidationError(errors)
        return values

    @staticmethod
    def _password(password: str | None, required: bool) -> str | None:
        if password in (None, ""):
            if required:
                raise ValidationError.single("password", "blank", "can't be blank")
            return None
        if password is None or len(password) < MIN_PASSWORD_LENGTH:
            raise password_too_short()
        return password

    @staticmethod
    def _check_unique(tx: UserRows, app_id: int, values: Mapping[str, Any], except_id: int | None = None) -> None:
        errors = {}
        for name in _UNIQUE:
            if values.get(name) is None:
                continue
            found, _ = tx.select_users(app_id, ast.Compare(name, "eq", values[name]), (), 0, 1)
            if found and found[0].id != except_id:
                errors[name] = [FieldError("taken", "has already been taken")]
        if errors:
            raise ValidationError(errors)

    # -- operations -------------------------------------------------------------------------
    @writes
    def create_user(self, actor: Actor, new: NewUser) -> User:
        """Sign-up: open to any session of the app; `is_admin` only for the app's administrator."""
        if new.is_admin and not actor.bypasses_acl:
            raise PermissionDeniedError("Only the app's administrator can create administrators", code="admin_only")
        values = self._profile_values(new.profile, creating=True)
        password = self._password(new.password, required=True)
        assert password is not None
        tags = list(_checked_tags(new.tags))
        values["password_hash"] = self.passwords.hash(password)
        values["is_admin"] = new.is_admin
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            self._check_unique(tx, actor.app_id, values)
            try:
                user = tx.insert_user(actor.app_id, values, tags, now)
            except ConflictError:  # a concurrent sign-up won the race for the same login
                raise ValidationError.single("login", "taken", "has already been taken") from None
            tx.insert_events([make_event(actor, "user.created", user.id, new=user_snapshot(user), at=now)])
        return user

    def get_user(self, actor: Actor, user_id: int) -> User:
        check_int64("id", user_id)
        with self.storage.transaction(write=False) as tx:
            user = tx.select_user(actor.app_id, user_id)
        if user is None:
            raise NotFoundError("User not found", code="user_not_found")
        return user

    def find_users(self, actor: Actor, where: ast.Node = ast.TRUE, sort: Sequence[ast.SortKey] = (),
                   page: int = 1, per_page: int = 10) -> UserPage:
        page = max(page, 1)
        per_page = min(max(per_page, 1), MAX_PER_PAGE)
        check_values(where)
        check_int64("page", (page - 1) * per_page)
        with self.storage.transaction(write=False) as tx:
            users, total = tx.select_users(actor.app_id, where, sort, (page - 1) * per_page, per_page)
        return UserPage(users, total, page, per_page)

    def find_user_by(self, actor: Actor, attribute: str, value: str) -> User:
        page = self.find_users(actor, ast.Compare(attribute, "eq", value), per_page=1)
        if not page.users:
            raise NotFoundError("User not found", code="user_not_found")
        return page.users[0]

    def _require_self_or_admin(self, actor: Actor, user_id: int) -> None:
        check_int64("id", user_id)
        if actor.bypasses_acl:
            return
        if actor.kind is ActorKind.APP:
            raise NeedUserError()
        if actor.user_id != user_id:
            raise NotOwnerError()

    @writes
    def update_user(self, actor: Actor, user_id: int, changes: UserChanges) -> User:
        self._require_self_or_admin(actor, user_id)
        if changes.is_admin is not None and not actor.bypasses_acl:
            raise PermissionDeniedError("Only the app's administrator can make or unmake administrators",
                                        code="admin_only")
        values = self._profile_values(changes.profile, creating=False)
        if changes.is_admin is not None:
            values["is_admin"] = changes.is_admin
        password = self._password(changes.password, required=False)
        tags = list(_checked_tags(changes.tags)) if changes.tags is not None else None
        now = time.time()
        with self.storage.transaction(write=True) as tx:
            current = tx.select_user(actor.app_id, user_id)
            if current is None:
                raise NotFoundError("User not found", code="user_not_found")
            if password is not None and not actor.bypasses_acl:
                self._check_current_password(actor.app_id, current, changes.current_password or "")
            if password is not None:
                values["password_hash"] = self.passwords.hash(password)
            self._check_unique(tx, actor.app_id, values, except_id=user_id)
            user = tx.update_user(actor.app_id, user_id, values, tags, now)
            tx.insert_events([make_event(actor, "user.updated", user_id, old=user_snapshot(current),
                                         new=user_snapshot(user), at=now)])
        return user

    @writes
    def delete_user(self, actor: Actor, user_id: int) -> None:
        self._require_self_or_admin(actor, user_id)
        with self.storage.transaction(write=True) as tx:
            current = tx.select_user(actor.app_id, user_id)
            if current is None:
                raise NotFoundError("User not found", code="user_not_found")
            tx.delete_user(actor.app_id, user_id)
            tx.insert_events([make_event(actor, "user.deleted", user_id, old=user_snapshot(current))])

    def _check_current_password(self, app_id: int, user: User, password: str) -> None:
        """A password change's proof: limited like a sign-in, as it is a password check too."""
        self.limits.check(app_id, user.login or user.email or str(user.id))
        if not self.passwords.verify(user.password_hash, password):
            self.limits.failed(app_id, user.login or user.email or str(user.id))
            raise ValidationError.single("current_password", "invalid", "is invalid")

    def check_credentials(self, tx: UserRows, app_id: int, credentials: LoginCredentials) -> User:
        """The user these login-or-email-and-password credentials belong to, or UnauthenticatedError
        (RateLimitedError, before any lookup, after too many failures)."""
        given = credentials.login or credentials.email or ""
        self.limits.check(app_id, given)
        for attribute, value in (("login", credentials.login), ("email", credentials.email)):
            if value:
                found, _ = tx.select_users(app_id, ast.Compare(attribute, "eq", check_storable(attribute, value)),
                                           (), 0, 1)
                user = found[0] if found else None
                # Verify even when no user matched, so the answer takes as long either way.
                if self.passwords.verify(user.password_hash if user else None, credentials.password) and user:
                    return user
                break
        self.limits.failed(app_id, given)
        raise UnauthenticatedError("The login or password is wrong", code="invalid_credentials")
