"""The OpenAPI declaration of every DreamFactory handler in dialect.V2_ROUTES and LEGACY_ROUTES,
keyed by (method, handler name): both surfaces serve the same handlers at their own paths. Every
success is a 200, as in DreamFactory."""

from __future__ import annotations

from objectbase.api.common.operations import INTEGER, OBJECT, STRING, Operation, Param, array_of, query

__all__ = ["LEGACY_ERROR", "OPERATIONS", "V2_ERROR"]

V2_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "properties": {
    "code": INTEGER, "context": {}, "message": STRING, "status_code": INTEGER}}}}
LEGACY_ERROR = {"type": "object", "required": ["error"], "properties": {"error": array_of({
    "type": "object", "properties": {"code": INTEGER, "context": {}, "message": STRING}})}}

_RECORD = {"type": "object", "additionalProperties": True, "description": "The table's fields (`id` first)"}
# v2 wraps lists in `resource`, the legacy surface in `record`; `meta` carries counts and next offsets.
_RECORDS = {"type": "object", "properties": {"resource": array_of(_RECORD), "record": array_of(_RECORD),
                                             "meta": OBJECT}}
# `count_only=true`: the bare count.
_LISTED = {"anyOf": [_RECORDS, INTEGER]}
_RECORDS_INPUT = {"oneOf": [array_of(_RECORD), {"type": "object", "properties": {
    "resource": array_of(_RECORD), "record": array_of(_RECORD)}, "additionalProperties": True}]}
_SESSION = {"type": "object", "properties": {"session_token": STRING, "session_id": STRING, "id": INTEGER,
                                             "email": {}, "name": {}, "is_sys_admin": {"type": "boolean"},
                                             "last_login_date": {}, "host": {}}}
_LOGIN = {"type": "object", "properties": {"email": STRING, "login": STRING, "password": STRING,
                                           "duration": INTEGER, "remember_me": {"type": "boolean"}}}
_TABLE_SCHEMA = {"type": "object", "properties": {"name": STRING, "label": {}, "plural": {}, "primary_key": {},
                                                  "field": array_of(OBJECT), "related": array_of(OBJECT)},
                 "additionalProperties": True}
_TABLES_INPUT = {"oneOf": [array_of(_TABLE_SCHEMA), {"type": "object", "properties": {
    "resource": array_of(_TABLE_SCHEMA), "table": array_of(_TABLE_SCHEMA)}}]}
_FIELD = {"type": "object", "properties": {"name": STRING, "type": STRING}, "additionalProperties": True}

_SELECT = (*query("fields", "related", "id_field", "filter", "order", "group"),
           *query("limit", "offset", schema=INTEGER), Param("include_count", schema={"type": "boolean"}))
_LIST = (*_SELECT, Param("ids", description="A comma list of ids"), Param("count_only", schema={"type": "boolean"}))
_BATCH = (*query("fields", "related", "id_field", "ids", "filter"),
          *query("continue", "rollback", schema={"type": "boolean"}))

_TABLES, _SCHEMA, _AUTH = "Tables", "Schema", "Sessions"
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", "open_session"): Operation("Log in: a session token", _AUTH, body=_LOGIN, response=_SESSION,
                                        secured=False),
    ("GET", "refresh_session"): Operation("The session, its expiry pushed forward", _AUTH, response=_SESSION),
    ("DELETE", "close_session"): Operation("Log out", _AUTH, response={"type": "object", "properties": {
        "success": {"type": "boolean"}}}),
    ("GET", "describe_service"): Operation("The service's resources", _SCHEMA, response=OBJECT),
    ("GET", "list_tables"): Operation("List tables (`_table` and `_schema` alike)", _SCHEMA,
                                      params=query("fields", "as_list"), response=OBJECT),
    ("GET", "legacy_list_tables"): Operation("List tables", _SCHEMA, response=OBJECT),
    ("POST", "create_tables"): Operation("Create tables", _SCHEMA, body=_TABLES_INPUT, response=OBJECT,
                                         status=201),
    ("PUT", "update_tables"): Operation("Replace tables' schemas", _SCHEMA, body=_TABLES_INPUT, response=OBJECT),
    ("PATCH", "update_tables"): Operation("Change tables' schemas", _SCHEMA, body=_TABLES_INPUT, response=OBJECT),
    ("GET", "get_table"): Operation("A table's schema", _SCHEMA, params=query("refresh"), response=_TABLE_SCHEMA),
    ("PUT", "update_table"): Operation("Replace a table's schema", _SCHEMA, body=_TABLE_SCHEMA,
                                       response=OBJECT),
    ("PATCH", "update_table"): Operation("Change a table's schema", _SCHEMA, body=_TABLE_SCHEMA, response=OBJECT),
    ("DELETE", "delete_table"): Operation("Drop a table", _SCHEMA, response=OBJECT),
    ("GET", "get_field"): Operation("A field's schema", _SCHEMA, response=_FIELD),
    ("PUT", "update_field"): Operation("Replace a field", _SCHEMA, body=_FIELD, response=OBJECT),
    ("PATCH", "update_field"): Operation("Change a field", _SCHEMA, body=_FIELD, response=OBJECT),
    ("DELETE", "delete_field"): Operation("Remove a field", _SCHEMA, response=OBJECT),
    ("GET", "list_records"): Operation("List records (filter, order, paging, related)", _TABLES, params=_LIST,
                                       response=_LISTED),
    ("GET", "get_record"): Operation("A record", _TABLES, params=_SELECT, response=_RECORD),
    ("POST", "create_records"): Operation("Create records", _TABLES, params=_BATCH, body=_RECORDS_INPUT,
                                          response=_RECORDS),
    ("PUT", "update_records"): Operation("Replace records (by id, ids or filter)", _TABLES, params=_BATCH,
                                         body=_RECORDS_INPUT, response=_RECORDS),
    ("PATCH", "update_records"): Operation("Change records (by id, ids or filter)", _TABLES, params=_BATCH,
                                           body=_RECORDS_INPUT, response=_RECORDS),
    ("DELETE", "delete_records"): Operation("Delete records (by ids, filter or body)", _TABLES, params=_BATCH,
                                            response=_RECORDS),
    ("POST", "create_by_id"): Operation("Create a record with this id", _TABLES, params=_BATCH, body=_RECORD,
                                        response=_RECORD),
    ("PUT", "update_record"): Operation("Replace a record", _TABLES, params=_BATCH, body=_RECORD,
                                        response=_RECORD),
    ("PATCH", "update_record"): Operation("Change a record", _TABLES, params=_BATCH, body=_RECORD,
                                          response=_RECORD),
    ("DELETE", "delete_record"): Operation("Delete a record", _TABLES, params=_BATCH, response=_RECORD),
}
