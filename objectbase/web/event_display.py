"""The event history as people read it (the History pages): who did what to which thing and when, and
per field the value before and after, in the words and names of the app (option texts, user logins,
state names) rather than ids.

A record event carries the whole record before and after (`records.record_snapshot`), so the changed
fields are found by comparing the two; other events (users, files, classes) are compared key by key,
one level into objects (a class's `fields.score`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from objectbase.core.elementary import ChangeKind
from objectbase.core.models import Event, User
from objectbase.core.schema import ClassDef, FieldDef, element_type
from objectbase.web.formats import iso_time, user_label, utc_time

__all__ = ["EVENT_KINDS", "Entry", "ValueChange", "entries", "kind_label"]

# The kinds the core writes, as the feed's type filter offers them (grouped by what they are about).
EVENT_KINDS: tuple[tuple[str, str], ...] = (
    ("record.created", "Record created"), ("record.updated", "Record updated"),
    ("record.deleted", "Record deleted"), ("record.state_changed", "Record state changed"),
    ("record.duplicated", "Record duplicated"), ("record.archived", "Record archived"),
    ("record.unarchived", "Record unarchived"), ("record.removed", "Record moved to the trash"),
    ("record.restored", "Record restored"),
    ("user.created", "User created"), ("user.updated", "User updated"), ("user.deleted", "User deleted"),
    ("blob.created", "File created"), ("blob.uploaded", "File uploaded"), ("blob.completed", "File completed"),
    ("blob.updated", "File updated"), ("blob.deleted", "File deleted"),
    ("class.created", "Class created"), ("class.updated", "Class changed"), ("class.deleted", "Class deleted"),
    ("session.created", "Session started"), ("session.login", "Signed in"), ("session.logout", "Signed out"),
    ("session.deleted", "Session ended"),
    ("access_token.created", "Access token issued"), ("access_token.refreshed", "Access token refreshed"),
    ("access_token.revoked", "Access token revoked"),
    ("email_code.created", "Email code sent"), ("email_code.confirmed", "Email code confirmed"),
    ("app.created", "App created"),
)
_LABELS = dict(EVENT_KINDS)
# Kept by every record event but not worth a row: the record's id and its clock.
_RECORD_HIDDEN = frozenset({"_id", "created_at", "updated_at"})
_SYSTEM_NAMES = {"_state_id": "state", "_parent_id": "parent", "user_id": "owner"}
_MAX_SHOWN = 400


@dataclass(frozen=True)
class ValueChange:
    """One row of an event's table: a whole value before and after, as shown (empty: none)."""

    field: str
    old: str
    new: str
    kind: ChangeKind


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    action: str
    when: str
    # `when` for machines (the `<time datetime>`).
    instant: str
    who: str
    # The acting user, if any: the feed links to their other events.
    who_user_id: int | None
    subject: str
    # A record's subject links to its timeline; None for anything else.
    record_url: str | None
    changes: tuple[ValueChange, ...]


def kind_label(kind: str) -> str:
    return _LABELS.get(kind, kind)


def _moment(key: str, value: Any) -> str | None:
    """A `…_at` value (Unix time) as a time, else None."""
    if key.endswith("_at") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return utc_time(value)
    return None


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and not any(isinstance(item, (list, dict)) for item in value):
        return ", ".join(_plain(item) for item in value)  # tags and the like; none is empty
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


class _Names:
    """Ids as the app names them: users by login, options by text, states by name."""

    def __init__(self, users: Mapping[int, User]) -> None:
        self.users = users

    def user(self, user_id: Any) -> str:
        if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id == 0:
            return _plain(user_id) if user_id else ""
        found = self.users.get(user_id)
        return user_label(found) if found is not None else f"User #{user_id} (deleted)"

    def element(self, field_def: FieldDef, value: Any) -> str:
        kind = element_type(field_def.type).name
        if kind == "User":
            return self.user(value)
        if kind == "Option":
            option = next((o for o in field_def.options if o.id == value), None)
            return option.text if option is not None else _plain(value)
        return _plain(value)

    def other(self, key: str, value: Any) -> str:
        """A value that is not a field's: user ids as users, times as times."""
        if key == "user_id":
            return self.user(value)
        return _moment(key, value) or _clip(_plain(value))

    def value(self, field_def: FieldDef, value: Any) -> str:
        if value is None:
            return ""
        if field_def.type.is_array and isinstance(value, list):
            return _clip(", ".join(self.element(field_def, item) for item in value))
        return _clip(self.element(field_def, value))


def _change(name: str, old: str, new: str) -> ValueChange:
    kind: ChangeKind = "added" if not old else "removed" if not new else "changed"
    return ValueChange(name, old, new, kind)


def _permission(grant: Any) -> str:
    if not isinstance(grant, Mapping):
        return _plain(grant)
    members = grant.get("members") or []
    return str(grant.get("access", "")) + (": " + ", ".join(str(m) for m in members) if members else "")


def _record_changes(cls: ClassDef | None, event: Event, names: _Names) -> list[ValueChange]:
    old, new = event.old or {}, event.new or {}
    fields = cls.fields if cls is not None else {}
    # The class's fields in its order, then what the event holds that the class no longer has.
    keys = list(fields) + [k for k in [*old, *new] if k not in fields]
    changes: list[ValueChange] = []
    for key in dict.fromkeys(keys):
        before, after = old.get(key), new.get(key)
        if key in _RECORD_HIDDEN or before == after:
            continue
        if key == "permissions":
            # A new record's and a deleted one's permissions say nothing the other rows do not.
            if event.old and event.new and isinstance(before, Mapping) and isinstance(after, Mapping):
                for action in dict.fromkeys([*before, *after]):
                    if before.get(action) != after.get(action):
                        changes.append(_change(f"{action} permission", _permission(before.get(action)),
                                               _permission(after.get(action))))
            continue
        if key == "_state_id" or key == "state":
            changes.append(_change("state", _state(cls, before), _state(cls, after)))
        elif key == "user_id":
            if event.old and event.new:  # the owner of a new record is who created it
                changes.append(_change("owner", names.user(before), names.user(after)))
        elif key in fields:
            changes.append(_change(key, names.value(fields[key], before), names.value(fields[key], after)))
        else:
            changes.append(_change(_SYSTEM_NAMES.get(key, key), names.other(key, before), names.other(key, after)))
    return [c for c in changes if c.old != c.new]


def _state(cls: ClassDef | None, state_id: Any) -> str:
    if state_id is None:
        return ""
    state = cls.state(state_id) if cls is not None and isinstance(state_id, int) else None
    return state.name if state is not None else f"state #{state_id}"


def _other_changes(event: Event, names: _Names) -> list[ValueChange]:
    """Key by key, one level into objects; user ids shown as the users."""
    def flat(data: Mapping[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if isinstance(value, Mapping) and value:
                out.update({f"{key}.{inner}": item for inner, item in value.items()})
            else:
                out[key] = value
        return out

    old, new = flat(event.old), flat(event.new)
    changes = []
    for key in dict.fromkeys([*old, *new]):
        before, after = old.get(key), new.get(key)
        if key == "updated_at" or before == after:
            continue
        changes.append(_change(key, names.other(key, before), names.other(key, after)))
    return [c for c in changes if c.old != c.new]


def _who(event: Event, names: _Names) -> str:
    if event.actor_user_id:
        label = names.user(event.actor_user_id)
        return label + " (admin)" if event.actor_kind == "admin_key" else label
    return {"admin_key": "Administrator", "app": "App session"}.get(event.actor_kind, event.actor_kind)


def _subject(event: Event, cls: ClassDef | None, names: _Names) -> str:
    about = event.kind.split(".", 1)[0]
    snapshot = event.new or event.old or {}
    if about == "record":
        title = next((f.name for f in cls.fields.values() if f.title), None) if cls is not None else None
        shown = names.value(cls.fields[title], snapshot.get(title)) if cls is not None and title else ""
        return f"{cls.name if cls else 'Record'} {event.subject_id}" + (f" “{shown}”" if shown else "")
    if about == "user":
        user_id = int(event.subject_id) if event.subject_id.isdigit() else None
        if user_id is not None and user_id in names.users:
            return "User " + user_label(names.users[user_id])
        return "User " + str(snapshot.get("login") or snapshot.get("email") or f"#{event.subject_id}")
    if about == "blob":
        return "File " + str(snapshot.get("name") or event.subject_id)
    if about == "class":
        return "Class " + event.subject_id
    if about in ("session", "access_token", "email_code"):
        return about.replace("_", " ").capitalize()
    return event.subject_id


def entries(events: Sequence[Event], users: Mapping[int, User], classes: Sequence[ClassDef],
            app_id: int) -> list[Entry]:
    names = _Names(users)
    by_id = {c.id: c for c in classes}
    shown = []
    for event in events:
        cls = by_id.get(event.class_id or 0)
        is_record = event.kind.startswith("record.")
        record_url = (f"/_/apps/{app_id}/classes/{quote(cls.name, safe='')}/records/"
                      f"{quote(event.subject_id, safe='')}/history"
                      if is_record and cls is not None else None)
        changes = _record_changes(cls, event, names) if is_record else _other_changes(event, names)
        shown.append(Entry(event.id or 0, event.kind, kind_label(event.kind), utc_time(event.at), iso_time(event.at),
                           _who(event, names), event.actor_user_id, _subject(event, cls, names), record_url,
                           tuple(changes)))
    return shown
