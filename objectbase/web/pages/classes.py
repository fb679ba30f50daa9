"""The classes of an app: /_/apps/{app_id}/classes (list with record counts, create, apply a class
file) and one class's page (fields, indexes, required fields, permissions, workflow states, options,
its class file, its name, folder and disabled flag, delete).

Every change is one core operation as the signed-in admin actor; forms are read into the shapes the
class file uses (`read_class_file`), so names, types and permissions are checked exactly as there."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Mapping, TypeVar

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from objectbase.api.common.class_files import CLASS_FILE_ACL, class_file
from objectbase.api.common.core_calls import perform
from objectbase.api.common.state import services
from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from objectbase.core.errors import NotFoundError, ObjectbaseError, ValidationError
from objectbase.core.fields import FIELD_TYPES
from objectbase.core.models import App
from objectbase.core.permissions import RECORD_ACTIONS, Access, Action
from objectbase.core.query import ast
from objectbase.core.schema import DEFAULT_STATE_COLOR, ClassDef, element_type
from objectbase.core.services import Services
from objectbase.web.errors import error_status, field_messages
from objectbase.web.render import redirect, render
from objectbase.web.session import signed_in, viewer

__all__ = ["routes"]

# Most bytes of a class file pasted or uploaded on the list page.
MAX_CLASS_FILE = 1_000_000
ACCESS_CHOICES = [(name, name.replace("_", " ")) for name in CLASS_FILE_ACL.access_names]
TYPE_CHOICES = [(name, name) for name in FIELD_TYPES]
# What a colour input starts at: the core's default for options and states (opaque grey).
DEFAULT_COLOR = f"#{DEFAULT_STATE_COLOR & 0xFFFFFF:06x}"
# Errors of a field's name (the others the class file reader gives under `fields.<name>` are its options').
_NAME_CODES = frozenset({"invalid_name", "reserved_name"})

Errors = dict[str, list[str]]
T = TypeVar("T")


def _app(request: Request) -> App:
    return viewer(request).app(request.path_params["app_id"])


def _classes_url(app: App) -> str:
    return f"/_/apps/{app.id}/classes"


def _class_url(app: App, cls_name: str) -> str:
    return f"{_classes_url(app)}/{cls_name}"


def _text(form: FormData, key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _renamed(error: ObjectbaseError, names: Mapping[str, str]) -> Errors:
    """The core's messages by the form's field names."""
    messages: Errors = {}
    for key, texts in field_messages(error).items():
        messages.setdefault(names.get(key, key), []).extend(texts)
    return messages


# -- reads: each one call into the core --------------------------------------------------------

def _classes_with_counts(actor: Actor, core: Services) -> list[tuple[ClassDef, int]]:
    """Every class of the app with how many records it holds (archived and trashed ones aside)."""
    return [(cls, core.records.count_records(actor, cls.name, ast.TRUE)) for cls in core.classes.list_classes(actor)]


def _class_and_names(actor: Actor, core: Services, name: str) -> tuple[ClassDef, dict[int, str]]:
    """One class, and every class's name by id (Record fields name their target class)."""
    cls = core.classes.get_class(actor, name)
    return cls, {c.id: c.name for c in core.classes.list_classes(actor)}


# -- the list ----------------------------------------------------------------------------------

async def _list_page(request: Request, status: int = 200, errors: Errors | None = None,
                     values: Mapping[str, str] | None = None) -> Response:
    app = _app(request)
    rows = await perform(request, _classes_with_counts, services(request))
    return render(request, "classes/list.html", status, title=f"Classes · {app.name}", section="classes", app=app,
                  rows=rows, errors=errors or {}, values=values or {}, classes_url=_classes_url(app))


@signed_in
async def list_classes(request: Request) -> Response:
    return await _list_page(request)


@signed_in
async def create_class(request: Request) -> Response:
    app = _app(request)
    form = await request.form()
    name = _text(form, "name")
    try:
        (spec,) = read_class_file({"name": name})
        await perform(request, services(request).classes.create_class, spec)
    except ObjectbaseError as error:
        return await _list_page(request, error_status(error), _renamed(error, {"": "name"}), {"name": name})
    return redirect(_class_url(app, name), f"Class {name} created. Add its fields.")


async def _class_file_text(form: FormData) -> str:
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_CLASS_FILE + 1)
        await upload.close()
        if len(data) > MAX_CLASS_FILE:
            raise ValidationError.single("file", "too_large", f"a class file is at most {MAX_CLASS_FILE} bytes")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError.single("file", "invalid", "is not UTF-8 text") from None
    return _text(form, "class_file")


@signed_in
async def apply_class_file(request: Request) -> Response:
    app = _app(request)
    form = await request.form()
    pasted = _text(form, "class_file")
    try:
        text = await _class_file_text(form)
        if not text:
            raise ValidationError.single("class_file", "required", "paste a class file or choose one to upload")
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise ValidationError.single("class_file", "invalid", f"is not valid JSON: {error}") from None
        applied = await perform(request, services(request).classes.apply_classes, read_class_file(raw))
    except ObjectbaseError as error:
        # The file's own keys (fields.x, permissions.read, …) say where: shown above the textarea.
        messages = field_messages(error)
        shown = {k: v for k, v in messages.items() if k in ("file", "class_file")}
        other = [f"{k}: {m}" if k else m for k, texts in messages.items() if k not in shown for m in texts]
        if other:
            shown.setdefault("class_file", []).extend(other)
        return await _list_page(request, error_status(error), shown, {"class_file": pasted})
    names = ", ".join(c.name for c in applied)
    if len(applied) == 1:
        return redirect(_class_url(app, applied[0].name), f"Class file applied: {names}.")
    return redirect(_classes_url(app), f"Class file applied: {names}.")


# -- one class ---------------------------------------------------------------------------------

def _permission_rows(cls: ClassDef) -> list[dict[str, Any]]:
    rows = []
    for action in Action:
        permission = cls.permissions.acl[action]
        rows.append({"action": action.value, "access": CLASS_FILE_ACL.name_of(permission.access),
                     "members": ", ".join(permission.members),
                     "use_class": cls.permissions.use_class.get(action) if action in RECORD_ACTIONS else None})
    return rows


def _state_rows(cls: ClassDef) -> list[dict[str, Any]]:
    names = {s.id: s.name for s in cls.states}
    return [{"id": s.id, "name": s.name, "transitions": [names[t] for t in s.transitions if t in names],
             "transition_ids": set(s.transitions), "color": f"#{s.color & 0xFFFFFF:06x}"} for s in cls.states]


async def _class_page(request: Request, status: int = 200, errors: Errors | None = None,
                      values: Mapping[str, str] | None = None, form: str = "") -> Response:
    """The class page; after a refused form, `form` names which one, shown with its errors and values."""
    app = _app(request)
    cls, class_names = await perform(request, _class_and_names, services(request), request.path_params["name"])
    file_text = json.dumps(class_file(cls, class_names), indent=2, ensure_ascii=False)
    option_fields = [f for f in cls.fields.values() if element_type(f.type).name == "Option"]
    errors = errors or {}
    shown = {"fields", "states", "permissions", "settings", "delete", *(f"options-{f.name}" for f in option_fields)}
    if form and form not in shown:
        # A form the page does not show (e.g. options posted for a field that has none): say it on top.
        errors, form = {"": [m for texts in errors.values() for m in texts]}, "top"
    return render(request, "classes/show.html", status, title=f"{cls.name} · {app.name}", section="classes",
                  app=app, cls=cls, class_names=class_names, class_url=_class_url(app, cls.name),
                  classes_url=_classes_url(app), permissions=_permission_rows(cls), states=_state_rows(cls),
                  option_fields=option_fields, access_choices=ACCESS_CHOICES, file_text=file_text,
                  default_color=DEFAULT_COLOR, errors=errors, values=values or {}, form=form)


async def _change(request: Request, attempt: Callable[[], Awaitable[T]], notice: Callable[[T], str], *, form: str,
                  errors: Callable[[ObjectbaseError], Errors] = field_messages,
                  values: Mapping[str, str] | None = None, then: str | None = None) -> Response:
    """One change from a form of the class page. Refused: the page again, the form with its errors
    and values (a class, field, state or option that does not exist stays a 404 page). Done: to
    `then` (the class page) with the notice."""
    try:
        result = await attempt()
    except NotFoundError:
        raise
    except ObjectbaseError as error:
        return await _class_page(request, error_status(error), errors(error), values, form=form)
    return redirect(then or _class_url(_app(request), request.path_params["name"]), notice(result))


@signed_in
async def show_class(request: Request) -> Response:
    return await _class_page(request)


@signed_in
async def download_class_file(request: Request) -> Response:
    _app(request)
    cls, class_names = await perform(request, _class_and_names, services(request), request.path_params["name"])
    body = json.dumps(class_file(cls, class_names), indent=2, ensure_ascii=False) + "\n"
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{cls.name}.class.json"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


@signed_in
async def change_settings(request: Request) -> Response:
    """The class's name (records, ids and references stay), catalogue folder and disabled flag."""
    name = request.path_params["name"]
    form = await request.form()
    new_name, path, disabled = _text(form, "new_name"), _text(form, "path"), bool(form.get("disabled"))
    values = {"new_name": new_name, "path": path, "disabled": "1" if disabled else ""}
    return await _change(
        request, lambda: perform(request, services(request).classes.change_class, name, name=new_name,
                                 path=path or None, disabled=disabled),
        lambda _: "Settings saved." if new_name == name else f"Class {name} is now {new_name}.",
        form="settings", values=values, errors=lambda error: _renamed(error, {"name": "new_name", "": "new_name"}),
        then=_class_url(_app(request), new_name))


@signed_in
async def delete_class(request: Request) -> Response:
    name = request.path_params["name"]
    return await _change(request, lambda: perform(request, services(request).classes.delete_class, name),
                         lambda _: f"Class {name} and its records deleted.", form="delete",
                         then=_classes_url(_app(request)))


# -- fields ------------------------------------------------------------------------------------

def _field_entry(form: FormData) -> tuple[str, Any]:
    """The field the form describes as a class file entry: a type name, or an object for options and targets."""
    type_name = _text(form, "type")
    kind = type_name.removesuffix("[]")
    if kind == "Option":
        options = [line.strip() for line in str(form.get("options", "")).splitlines() if line.strip()]
        return type_name, {"type": type_name, "options": options} if options else {"type": type_name}
    if kind == "Record":
        return type_name, {"type": type_name, "class": _text(form, "target")}
    return type_name, type_name


def _field_errors(error: ObjectbaseError, name: str) -> Errors:
    """The class file reader's keys (`fields.<name>`, …) and the core's (the field's name) as the form's."""
    if not isinstance(error, ValidationError):
        return _renamed(error, {"": "name"})
    messages: Errors = {}
    for key, found in error.field_errors.items():
        if key == f"fields.{name}":
            target = "name" if any(e.code in _NAME_CODES for e in found) else (
                "type" if any(e.code == "unknown_type" for e in found) else "options")
        else:
            target = {f"fields.{name}.class": "target", name: "name"}.get(key, key)
        messages.setdefault(target, []).extend(e.message for e in found)
    return messages


async def _field_page(request: Request, status: int = 200, errors: Errors | None = None,
                      values: Mapping[str, str] | None = None) -> Response:
    app = _app(request)
    cls, class_names = await perform(request, _class_and_names, services(request), request.path_params["name"])
    return render(request, "classes/field_form.html", status, title=f"New field · {cls.name}", section="classes",
                  app=app, cls=cls, class_url=_class_url(app, cls.name), type_choices=TYPE_CHOICES,
                  target_choices=[("", "(choose a class)")] + [(n, n) for n in class_names.values()],
                  errors=errors or {}, values=values or {"type": "String"})


@signed_in
async def new_field(request: Request) -> Response:
    return await _field_page(request)


@signed_in
async def add_field(request: Request) -> Response:
    app = _app(request)
    class_name = request.path_params["name"]
    form = await request.form()
    name = _text(form, "name")
    required, indexed = bool(form.get("required")), bool(form.get("indexed"))
    type_name, entry = _field_entry(form)
    try:
        (spec,) = read_class_file({"name": class_name, "fields": {name: entry},
                                   "required": [name] if required else [], "indexes": [name] if indexed else []})
        await perform(request, services(request).classes.add_field, class_name, spec.fields[0])
    except NotFoundError:
        raise
    except ObjectbaseError as error:
        values = {"name": name, "type": type_name, "options": str(form.get("options", "")),
                  "target": _text(form, "target"), "required": "1" if required else "",
                  "indexed": "1" if indexed else ""}
        return await _field_page(request, error_status(error), _field_errors(error, name), values)
    return redirect(_class_url(app, class_name), f"Field {name} ({type_name}) added.")


async def _change_field(request: Request, notice: str, *, required: bool | None = None,
                        indexed: bool | None = None) -> Response:
    class_name, field_name = request.path_params["name"], request.path_params["field"]
    return await _change(
        request, lambda: perform(request, services(request).classes.change_field, class_name, field_name,
                                 required=required, indexed=indexed),
        lambda _: notice.format(field=field_name), form="fields")


@signed_in
async def set_required(request: Request) -> Response:
    required = bool((await request.form()).get("required"))
    return await _change_field(request, "{field} is now " + ("required." if required else "optional."),
                               required=required)


@signed_in
async def set_indexed(request: Request) -> Response:
    indexed = bool((await request.form()).get("indexed"))
    return await _change_field(request, "{field} is now " + ("indexed." if indexed else "not indexed."),
                               indexed=indexed)


@signed_in
async def delete_field(request: Request) -> Response:
    class_name, field_name = request.path_params["name"], request.path_params["field"]
    return await _change(
        request, lambda: perform(request, services(request).classes.delete_field, class_name, field_name,
                                 drop_data=True),
        lambda _: f"Field {field_name} and its values deleted.", form="fields")


# -- permissions -------------------------------------------------------------------------------

@signed_in
async def set_permissions(request: Request) -> Response:
    """The class's ACL and use_class_permissions, applied as its class file with them changed."""
    class_name = request.path_params["name"]
    form = await request.form()
    cls, class_names = await perform(request, _class_and_names, services(request), class_name)
    file = class_file(cls, class_names)
    values: dict[str, str] = {}
    for action in Action:
        access, members = _text(form, f"{action.value}_access"), _text(form, f"{action.value}_members")
        values |= {f"{action.value}_access": access, f"{action.value}_members": members}
        entry: dict[str, Any] = {"access": access}
        level = CLASS_FILE_ACL.access_names.get(access)
        if level in (Access.USERS, Access.GROUPS) and members:  # none: the reader says a list is needed
            entry[CLASS_FILE_ACL.member_keys[level][0]] = members
        file["permissions"][action.value] = entry
    for action in RECORD_ACTIONS:
        on = bool(form.get(f"{action.value}_use_class"))
        values[f"{action.value}_use_class"] = "1" if on else ""
        file["use_class_permissions"][action.value] = on
    names = {f"permissions.{a.value}": f"{a.value}_access" for a in Action}
    return await _change(
        request, lambda: perform(request, services(request).classes.apply_classes, read_class_file(file)),
        lambda _: "Permissions saved.", form="permissions", values=values, errors=lambda error: _renamed(error, names))


# -- workflow states ---------------------------------------------------------------------------

def _color(raw: str) -> int:
    """`#rrggbb` from a colour input, as packed opaque ARGB."""
    if len(raw) == 7 and raw.startswith("#"):
        try:
            return 0xFF000000 | int(raw[1:], 16)
        except ValueError:
            pass
    raise ValidationError.single("color", "invalid", "a colour is #rrggbb")


def _state_ids(form: FormData) -> list[int]:
    return [int(v) for v in form.getlist("transitions") if isinstance(v, str) and v.isdigit() and len(v) < 19]


@signed_in
async def add_state(request: Request) -> Response:
    class_name = request.path_params["name"]
    form = await request.form()
    name, color = _text(form, "state_name"), _text(form, "state_color") or DEFAULT_COLOR
    names = {"states": "state_name", "": "state_name", "color": "state_color"}
    return await _change(
        request, lambda: perform(request, services(request).classes.add_state, class_name, name,
                                 color=_color(color), transitions=_state_ids(form)),
        lambda _: f"State {name} added.", form="states", values={"state_name": name, "state_color": color},
        errors=lambda error: _renamed(error, names))


@signed_in
async def set_transitions(request: Request) -> Response:
    form = await request.form()
    return await _change(
        request, lambda: perform(request, services(request).classes.update_state, request.path_params["name"],
                                 request.path_params["state_id"], transitions=_state_ids(form)),
        lambda state: f"Transitions from {state.name} saved.", form="states")


@signed_in
async def delete_state(request: Request) -> Response:
    return await _change(
        request, lambda: perform(request, services(request).classes.delete_state, request.path_params["name"],
                                 request.path_params["state_id"]),
        lambda _: "State deleted.", form="states")


# -- options of Option fields ------------------------------------------------------------------

def _option_errors(error: ObjectbaseError) -> Errors:
    """Beside the colour what is the colour's; every other message beside the option's text."""
    messages = field_messages(error)
    return {"color": messages.pop("color", []), "text": [m for texts in messages.values() for m in texts]}


@signed_in
async def add_option(request: Request) -> Response:
    class_name, field_name = request.path_params["name"], request.path_params["field"]
    form = await request.form()
    text, color = str(form.get("text", "")), _text(form, "color") or DEFAULT_COLOR
    return await _change(
        request, lambda: perform(request, services(request).options.add_option, class_name, field_name, text,
                                 _color(color)),
        lambda _: f"Option {text.strip()} added to {field_name}.", form=f"options-{field_name}",
        values={"text": text, "color": color}, errors=_option_errors)


@signed_in
async def delete_option(request: Request) -> Response:
    class_name, field_name = request.path_params["name"], request.path_params["field"]
    clear = bool((await request.form()).get("clear"))
    return await _change(
        request, lambda: perform(request, services(request).options.delete_option, class_name, field_name,
                                 request.path_params["option_id"], clear=clear),
        lambda cleared: f"Option deleted{f' and cleared from {cleared} records' if cleared else ''}.",
        form=f"options-{field_name}")


_CLASS = "/apps/{app_id:int}/classes/{name}"
routes: list[BaseRoute] = [
    Route("/apps/{app_id:int}/classes", list_classes, methods=["GET"]),
    Route("/apps/{app_id:int}/classes", create_class, methods=["POST"]),
    Route("/apps/{app_id:int}/classes/apply", apply_class_file, methods=["POST"]),
    Route(_CLASS, show_class, methods=["GET"]),
    Route(_CLASS + "/class.json", download_class_file, methods=["GET"]),
    Route(_CLASS + "/settings", change_settings, methods=["POST"]),
    Route(_CLASS + "/delete", delete_class, methods=["POST"]),
    Route(_CLASS + "/fields/new", new_field, methods=["GET"]),
    Route(_CLASS + "/fields", add_field, methods=["POST"]),
    Route(_CLASS + "/fields/{field}/required", set_required, methods=["POST"]),
    Route(_CLASS + "/fields/{field}/indexed", set_indexed, methods=["POST"]),
    Route(_CLASS + "/fields/{field}/delete", delete_field, methods=["POST"]),
    Route(_CLASS + "/fields/{field}/options", add_option, methods=["POST"]),
    Route(_CLASS + "/fields/{field}/options/{option_id:int}/delete", delete_option, methods=["POST"]),
    Route(_CLASS + "/permissions", set_permissions, methods=["POST"]),
    Route(_CLASS + "/states", add_state, methods=["POST"]),
    Route(_CLASS + "/states/{state_id:int}/transitions", set_transitions, methods=["POST"]),
    Route(_CLASS + "/states/{state_id:int}/delete", delete_state, methods=["POST"]),
]
