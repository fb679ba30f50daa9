"""The OpenAPI declaration of every QuickBlox route in dialect.ROUTES (contract: docs/quickblox.md).

Paths are the routes' own; the document shows them with `.json`, as the SDK sends them."""

from __future__ import annotations

from objectbase.api.common.operations import INTEGER, OBJECT, STRING, Operation, Param, array_of, query

__all__ = ["ERROR", "OPERATIONS"]

_NULLABLE_STRING = {"type": ["string", "null"]}
ERROR = {"type": "object", "required": ["errors"], "properties": {"errors": {"oneOf": [
    array_of(STRING), {"type": "object", "additionalProperties": array_of(STRING)}]}}}

_SESSION = {"type": "object", "required": ["session"], "properties": {"session": {
    "type": "object", "properties": {"_id": STRING, "application_id": INTEGER, "id": INTEGER, "nonce": INTEGER,
                                     "token": STRING, "ts": INTEGER, "user_id": INTEGER,
                                     "created_at": STRING, "updated_at": STRING}}}}
_USER_FIELDS = {"id": INTEGER, "full_name": _NULLABLE_STRING, "email": _NULLABLE_STRING, "login": _NULLABLE_STRING,
                "phone": _NULLABLE_STRING, "website": _NULLABLE_STRING, "external_user_id": {},
                "custom_data": _NULLABLE_STRING, "user_tags": _NULLABLE_STRING}
_USER = {"type": "object", "required": ["user"], "properties": {"user": {"type": "object",
                                                                          "properties": _USER_FIELDS}}}
_USER_PAGE = {"type": "object", "properties": {"current_page": INTEGER, "per_page": INTEGER,
                                               "total_entries": INTEGER, "items": array_of(_USER)}}
_USER_INPUT = {"type": "object", "properties": {"user": {"type": "object", "properties": {
    "login": STRING, "email": STRING, "password": STRING, "full_name": STRING, "phone": STRING,
    "website": STRING, "external_user_id": {}, "custom_data": STRING, "tag_list": STRING, "old_password": STRING}}}}
_SESSION_INPUT = {"type": "object", "properties": {
    "application_id": {}, "auth_key": STRING, "nonce": {}, "timestamp": {}, "signature": STRING,
    "user": {"type": "object", "properties": {"login": STRING, "email": STRING, "password": STRING}},
    "provider": STRING, "keys": OBJECT}}
_LOGIN_INPUT = {"type": "object", "properties": {"login": STRING, "email": STRING, "password": STRING}}
# A record: `_id`, `user_id`, `created_at`, `updated_at`, the class's own fields, `permissions`.
_RECORD = {"type": "object", "properties": {"_id": STRING, "user_id": INTEGER, "parent_id": {},
                                            "created_at": INTEGER, "updated_at": INTEGER, "permissions": OBJECT}}
_RECORDS = {"type": "object", "properties": {"class_name": STRING, "skip": INTEGER, "limit": INTEGER,
                                             "items": array_of(_RECORD)}}
_RECORD_INPUT = {"type": "object", "description": "The class's field values; `permissions[...]` for the ACL",
                 "additionalProperties": True}
_MULTI_INPUT = {"type": "object", "properties": {"record": OBJECT}}
_BLOB = {"type": "object", "required": ["blob"], "properties": {"blob": {"type": "object", "properties": {
    "id": INTEGER, "uid": STRING, "content_type": STRING, "name": STRING, "size": {}, "public": {},
    "tag_list": _NULLABLE_STRING}}}}
_BLOB_INPUT = {"type": "object", "properties": {"blob": {"type": "object", "properties": {
    "content_type": STRING, "name": STRING, "public": {}, "tag_list": STRING, "size": {}}}}}
_FILE_FORM = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"},
                                               "field_name": STRING}}

# Every filter, sort and paging parameter of a search (contract §4.5): `field[op]=value` as well.
_SEARCH = (*query("skip", "limit", schema=INTEGER),
           *query("sort_asc", "sort_desc", "count", "output[include]", "output[exclude]", "group_by"),
           Param("field[op]", description="A condition on a field: lt, lte, gt, gte, ne, in, nin, all, ctn, or, "
                                          "near; field=value for equality", schema={"type": "object"}))
_PAGE = query("page", "per_page", schema=INTEGER)

_USERS, _DATA, _CONTENT, _AUTH = "Users", "Custom objects", "Content", "Sessions"
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", "/session"): Operation("Create a session (application, or user with credentials)", _AUTH,
                               body=_SESSION_INPUT, response=_SESSION, status=201, secured=False),
    ("GET", "/session"): Operation("The current session", _AUTH, response=_SESSION),
    ("DELETE", "/session"): Operation("Destroy the session", _AUTH),
    ("POST", "/login"): Operation("Log a user in to the application session", _AUTH, body=_LOGIN_INPUT,
                             response=_USER, status=202),
    ("DELETE", "/login"): Operation("Log the user out (the session stays)", _AUTH),
    ("POST", "/users"): Operation("Sign up a user", _USERS, body=_USER_INPUT, response=_USER, status=201),
    ("GET", "/users"): Operation("List users", _USERS, params=(*_PAGE, Param("filter[]"), Param("order")),
                            response=_USER_PAGE),
    ("GET", "/users/by_login"): Operation("A user by login", _USERS, params=(Param("login", required=True),),
                                     response=_USER),
    ("GET", "/users/by_email"): Operation("A user by e-mail", _USERS, params=(Param("email", required=True),),
                                     response=_USER),
    ("GET", "/users/by_full_name"): Operation("Users by full name", _USERS,
                                         params=(Param("full_name", required=True), *_PAGE), response=_USER_PAGE),
    ("GET", "/users/by_tags"): Operation("Users with any of the tags", _USERS,
                                    params=(Param("tags", required=True), *_PAGE), response=_USER_PAGE),
    ("GET", "/users/external/{external_id}"): Operation("A user by external id", _USERS, response=_USER),
    ("DELETE", "/users/external/{external_id}"): Operation("Delete a user by external id", _USERS),
    ("GET", "/users/{user_id}"): Operation("A user", _USERS, response=_USER),
    ("PUT", "/users/{user_id}"): Operation("Change a user (oneself)", _USERS, body=_USER_INPUT, response=_USER),
    ("DELETE", "/users/{user_id}"): Operation("Delete a user (oneself)", _USERS),
    ("POST", "/data/{class_name}"): Operation("Create a record", _DATA, body=_RECORD_INPUT, response=_RECORD,
                                              status=201),
    ("GET", "/data/{class_name}"): Operation("Search records", _DATA, params=_SEARCH, response=_RECORDS),
    ("POST", "/data/{class_name}/multi"): Operation("Create several records", _DATA, body=_MULTI_INPUT,
                                               response=_RECORDS, status=201),
    ("PUT", "/data/{class_name}/multi"): Operation("Change several records", _DATA, body=_MULTI_INPUT, response=OBJECT),
    ("PUT", "/data/{class_name}/by_criteria"): Operation("Change the records that match", _DATA, params=_SEARCH,
                                                    body=_RECORD_INPUT, response=_RECORDS),
    ("DELETE", "/data/{class_name}/by_criteria"): Operation("Delete the records that match", _DATA, params=_SEARCH,
                                                       response=OBJECT),
    ("POST", "/data/{class_name}/{record_id}/file"): Operation("Upload a file into a File field", _DATA,
                                                          form=_FILE_FORM, response=OBJECT),
    ("GET", "/data/{class_name}/{record_id}/file"): Operation("Download a File field's file", _DATA,
                                                         params=(Param("field_name", required=True),), binary=True),
    ("DELETE", "/data/{class_name}/{record_id}/file"): Operation("Remove a File field's file", _DATA,
                                                            params=(Param("field_name", required=True),)),
    ("GET", "/data/{class_name}/{ids}"): Operation("Records by id (a comma list)", _DATA, response=_RECORDS),
    ("PUT", "/data/{class_name}/{ids}"): Operation("Change a record", _DATA, body=_RECORD_INPUT, response=_RECORD),
    ("DELETE", "/data/{class_name}/{ids}"): Operation("Delete records by id (a comma list)", _DATA, response=OBJECT),
    ("POST", "/data/{class_name}/{parent_id}/{child_class}"): Operation("Create a child record", _DATA,
                                                                   body=_RECORD_INPUT, response=_RECORD, status=201),
    ("GET", "/data/{class_name}/{parent_id}/{child_class}"): Operation("A record's children", _DATA, params=_SEARCH,
                                                                  response=_RECORDS),
    ("POST", "/blobs"): Operation("Create a blob (and an upload grant)", _CONTENT, body=_BLOB_INPUT, response=_BLOB,
                             status=201),
    ("GET", "/blobs"): Operation("List one's blobs", _CONTENT, params=_PAGE, response=OBJECT),
    ("GET", "/blobs/tagged"): Operation("Blobs tagged with the user's tags", _CONTENT, params=_PAGE, response=OBJECT),
    ("POST", "/blobs/{blob_id}/upload"): Operation("Upload a blob's bytes (the grant's form fields and `file`)",
                                              _CONTENT, form=_FILE_FORM, status=201, secured=False),
    ("PUT", "/blobs/{blob_id}/complete"): Operation("Mark an upload complete", _CONTENT,
                                               body={"type": "object", "properties": {"blob": {
                                                   "type": "object", "properties": {"size": INTEGER}}}}),
    ("GET", "/blobs/{blob_id}/download"): Operation("A blob's bytes (a redirect to its signed link)", _CONTENT,
                                               binary=True),
    ("PUT", "/blobs/{blob_id}"): Operation("Change a blob", _CONTENT, body=_BLOB_INPUT, response=_BLOB),
    ("DELETE", "/blobs/{blob_id}"): Operation("Delete a blob", _CONTENT),
    ("GET", "/blobs/{ref}"): Operation("A blob by id (`.json`) or its bytes by uid", _CONTENT, response=_BLOB),
}
