"""The migrations, applied in order to an empty database, build exactly what `system_tables.py` declares.

A change to `system_tables.py` without a migration (or a migration without the change) fails here:
tables, columns (name, type as the database spells it, nullability), primary keys, where integer ids
come from (SERIAL / AUTOINCREMENT), indexes, unique constraints, foreign keys and, on PostgreSQL,
sequences. SQLAlchemy's inspector is enough for this; alembic's `compare_metadata` would add a
dependency and still need the SQLite AUTOINCREMENT and sequence checks written by hand."""

from __future__ import annotations

import difflib
import json
import pprint
from typing import Any, Callable

import pytest
import sqlalchemy
from sqlalchemy import BigInteger, Column, Dialect, Engine, MetaData, Table, text

from objectbase.api.field_names import read_class_file
from objectbase.core.actor import Actor
from objectbase.core.services import Services
from objectbase.storage import open_storage, system_tables
from objectbase.storage.migrations import MIGRATIONS, migrate
from tests.conftest import TEST_SECRETS

Description = dict[str, Any]

# Type names the database reports differently from how SQLAlchemy spells them in CREATE TABLE.
_TYPE_SYNONYMS = {"postgresql": {"FLOAT": "DOUBLE PRECISION"}}


def _type_name(column_type: Any, dialect: Dialect) -> str:
    name = str(column_type.compile(dialect=dialect))
    return _TYPE_SYNONYMS.get(dialect.name, {}).get(name, name)


def _serial_sequences(ids: dict[str, frozenset[str]]) -> set[str]:
    # What PostgreSQL names the sequence behind a SERIAL column.
    return {f"{table}_{column}_seq" for table, columns in ids.items() for column in columns}


def describe_metadata(metadata: MetaData, dialect: Dialect) -> Description:
    tables: Description = {}
    ids: dict[str, frozenset[str]] = {}
    for table in metadata.tables.values():
        serial = table.autoincrement_column
        if dialect.name == "sqlite" and not table.dialect_options["sqlite"]["autoincrement"]:
            serial = None  # a plain rowid alias: SQLite may reuse a deleted row's id
        ids[table.name] = frozenset({serial.name} if serial is not None else ())
        tables[table.name] = {
            "columns": {c.name: (_type_name(c.type, dialect), c.nullable) for c in table.columns},
            "primary_key": tuple(c.name for c in table.primary_key.columns),
            "ids": ids[table.name],
            "indexes": {ix.name: (tuple(c.name for c in ix.columns), bool(ix.unique)) for ix in table.indexes},
            "unique": sorted((tuple(c.name for c in uq.columns), uq.name) for uq in table.constraints
                             if isinstance(uq, sqlalchemy.UniqueConstraint)),
            "foreign_keys": sorted((tuple(fk.column_keys), fk.referred_table.name,
                                    tuple(e.column.name for e in fk.elements), fk.ondelete)
                                   for fk in table.foreign_key_constraints),
        }
    description: Description = {"tables": tables}
    if dialect.name == "postgresql":
        # MetaData has no public list of its sequences.
        description["sequences"] = sorted(set(metadata._sequences) | _serial_sequences(ids))
    return description


def _unique_name(table: str, columns: list[str], name: str | None) -> str | None:
    """The database's name for an unnamed constraint is None, as in the metadata."""
    return None if name == f"{table}_{'_'.join(columns)}_key" else name


def describe_database(engine: Engine) -> Description:
    dialect = engine.dialect
    tables: Description = {}
    ids: dict[str, frozenset[str]] = {}
    with engine.connect() as conn:
        inspector = sqlalchemy.inspect(conn)
        for name in inspector.get_table_names():
            columns = inspector.get_columns(name)
            primary_key = tuple(inspector.get_pk_constraint(name)["constrained_columns"])
            if dialect.name == "sqlite":
                sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}).scalar_one()
                ids[name] = frozenset(primary_key if "AUTOINCREMENT" in sql else ())
            else:
                ids[name] = frozenset(c["name"] for c in columns if c.get("autoincrement") is True)
            tables[name] = {
                "columns": {c["name"]: (_type_name(c["type"], dialect), c["nullable"]) for c in columns},
                "primary_key": primary_key,
                "ids": ids[name],
                "indexes": {ix["name"]: (tuple(ix["column_names"]), bool(ix["unique"]))
                            for ix in inspector.get_indexes(name) if "duplicates_constraint" not in ix},
                "unique": sorted((tuple(uq["column_names"]), _unique_name(name, uq["column_names"], uq["name"]))
                                 for uq in inspector.get_unique_constraints(name)),
                "foreign_keys": sorted((tuple(fk["constrained_columns"]), fk["referred_table"],
                                        tuple(fk["referred_columns"]), fk["options"].get("ondelete"))
                                       for fk in inspector.get_foreign_keys(name)),
            }
        description: Description = {"tables": tables}
        if dialect.name == "postgresql":
            description["sequences"] = sorted(inspector.get_sequence_names())
    return description


def _assert_same(built: Description, declared: Description) -> None:
    if built != declared:
        diff = difflib.unified_diff(pprint.pformat(declared, width=120).splitlines(),
                                    pprint.pformat(built, width=120).splitlines(),
                                    "system_tables.py", "migrations", lineterm="")
        pytest.fail("the migrations do not build what system_tables.py declares:\n" + "\n".join(diff))


@pytest.fixture
def migrated_engine(backend: str, make_database_url: Callable[[str], str]) -> Any:
    storage = open_storage(make_database_url(backend), secrets=TEST_SECRETS)
    yield storage.engine
    storage.close()


def test_the_migrations_build_what_system_tables_declares(migrated_engine: Engine) -> None:
    _assert_same(describe_database(migrated_engine), describe_metadata(system_tables.metadata, migrated_engine.dialect))


def test_every_integer_id_comes_from_the_database(migrated_engine: Engine) -> None:
    """SERIAL / AUTOINCREMENT for every single-integer primary key: no id comes from a counter row."""
    built = describe_database(migrated_engine)["tables"]
    # nonces, user_tags, blob_tags have composite keys; sequences and the ledger are keyed by name/version.
    assert {name: table["ids"] for name, table in built.items() if table["ids"]} == {
        name: frozenset({"id"})
        for name in ("apps", "api_keys", "users", "sessions", "classes", "fields", "events", "blobs", "states",
                     "transitions", "options", "datums",
                     "metadatums", "refresh_tokens", "operators", "dashboard_sessions")
    }


def test_the_comparison_notices_a_column_added_without_a_migration(migrated_engine: Engine) -> None:
    changed = MetaData()
    for table in system_tables.metadata.tables.values():
        table.to_metadata(changed)
    Table("users", changed, Column("nickname", BigInteger), extend_existing=True)
    with pytest.raises(pytest.fail.Exception, match="nickname"):
        _assert_same(describe_database(migrated_engine), describe_metadata(changed, migrated_engine.dialect))


def test_migrating_again_applies_nothing(migrated_engine: Engine) -> None:
    assert migrate(migrated_engine) == []
    with migrated_engine.connect() as conn:
        versions = conn.execute(text("SELECT version FROM schema_migrations ORDER BY version")).scalars().all()
    assert versions == [version for version, _, _ in MIGRATIONS]


def test_record_seq_continues_after_the_counter_when_a_database_is_upgraded(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """A database that had 0001 and 0002 (the counter at 41) upgraded to 0003 goes on at 42."""
    storage = open_storage(make_database_url(backend), run_migrations=False, secrets=TEST_SECRETS)
    try:
        assert migrate(storage.engine, upto=2, secrets=TEST_SECRETS) == [1, 2]
        with storage.engine.begin() as conn:
            conn.execute(text("UPDATE sequences SET value = 41 WHERE name = 'record_seq'"))
        assert migrate(storage.engine, upto=3, secrets=TEST_SECRETS) == [3]
        with storage.transaction(write=True) as tx:
            assert tx.next_record_seqs(2) == [42, 43]
            left = tx.conn.execute(text("SELECT name FROM sequences")).scalars().all()
        # PostgreSQL dropped the counter for the sequence; SQLite still counts in it.
        assert left == ([] if backend == "postgresql" else ["record_seq"])
    finally:
        storage.close()


def test_access_levels_are_renamed_to_the_core_names_when_a_database_is_upgraded(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """0004: QuickBlox's access names, stored until 0003, become the core's `users` and `groups`."""
    storage = open_storage(make_database_url(backend), run_migrations=False, secrets=TEST_SECRETS)
    old_acl = {"acl": {"read": {"access": "open_for_groups", "members": ["a"]},
                       "update": {"access": "open_for_users_ids", "members": ["7"]},
                       "delete": {"access": "owner", "members": []}},
               "use_class": {"read": False}}
    try:
        assert migrate(storage.engine, upto=3, secrets=TEST_SECRETS) == [1, 2, 3]
        with storage.engine.begin() as conn:
            conn.execute(text("INSERT INTO apps (name, auth_key, auth_secret, account_key, schema_version, "
                              "created_at) VALUES ('a', 'k', 's', 'c', 1, 0)"))
            conn.execute(text("INSERT INTO classes (app_id, name, permissions, version, created_at, updated_at) "
                              "VALUES (1, 'C', :p, 1, 0, 0)"), {"p": json.dumps(old_acl)})
            class_id = conn.execute(text("SELECT id FROM classes")).scalar_one()
            conn.execute(text(f"CREATE TABLE obj_{class_id} (_id VARCHAR(24) PRIMARY KEY, _read_access VARCHAR(20), "
                              "_update_access VARCHAR(20), _delete_access VARCHAR(20))"))
            conn.execute(text(f"INSERT INTO obj_{class_id} VALUES ('r1', 'open_for_users_ids', 'open_for_groups', "
                              "'owner')"))
        assert migrate(storage.engine, upto=4, secrets=TEST_SECRETS) == [4]
        with storage.engine.connect() as conn:
            stored = conn.execute(text("SELECT permissions FROM classes")).scalar_one()
            row = conn.execute(text(f"SELECT _read_access, _update_access, _delete_access FROM obj_{class_id}")).one()
        permissions = json.loads(stored) if isinstance(stored, str) else stored
        assert {a: v["access"] for a, v in permissions["acl"].items()} == {
            "read": "groups", "update": "users", "delete": "owner"}
        assert tuple(row) == ("users", "groups", "owner")
    finally:
        storage.close()


def test_json_states_become_rows_and_records_enter_the_first_state_when_a_database_is_upgraded(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """0005: a version-4 class's JSON states become rows (ids from the database, list order, the default
    colour, transitions by id), the column goes, and its records get `_state_id` = the first state and
    empty archive and trash marks; a class without states gets the columns with no state."""
    storage = open_storage(make_database_url(backend), run_migrations=False, secrets=TEST_SECRETS)
    states = [{"name": "New", "transitions": ["Done"]}, {"name": "Done", "transitions": []}]
    try:
        assert migrate(storage.engine, upto=4, secrets=TEST_SECRETS) == [1, 2, 3, 4]
        with storage.engine.begin() as conn:
            conn.execute(text("INSERT INTO apps (name, auth_key, auth_secret, account_key, schema_version, "
                              "created_at) VALUES ('a', 'k', 's', 'c', 1, 0)"))
            for name, listed in (("Task", json.dumps(states)), ("Note", None)):
                conn.execute(text("INSERT INTO classes (app_id, name, permissions, states, version, created_at, "
                                  "updated_at) VALUES (1, :n, '{}', :s, 1, 0, 0)"), {"n": name, "s": listed})
            class_ids = {str(n): int(i) for n, i in conn.execute(text("SELECT name, id FROM classes")).all()}
            for class_id in class_ids.values():
                conn.execute(text(f"CREATE TABLE obj_{class_id} (_id VARCHAR(24) PRIMARY KEY)"))
                conn.execute(text(f"INSERT INTO obj_{class_id} VALUES ('r1')"))
        assert migrate(storage.engine, upto=5, secrets=TEST_SECRETS) == [5]
        with storage.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name, color, position FROM states ORDER BY position")).all()
            moves = conn.execute(text("SELECT state_id, target_id FROM state_transitions")).all()
            task = conn.execute(text(f"SELECT _state_id, _archived_at, _removed_at FROM obj_{class_ids['Task']}")).one()
            note = conn.execute(text(f"SELECT _state_id FROM obj_{class_ids['Note']}")).scalar_one()
            columns = [c["name"] for c in sqlalchemy.inspect(conn).get_columns("classes")]
        assert [(name, color, position) for _, name, color, position in rows] == [
            ("New", 0xFF9E9E9E, 0), ("Done", 0xFF9E9E9E, 1)]
        ids = {name: state_id for state_id, name, _, _ in rows}
        assert [tuple(m) for m in moves] == [(ids["New"], ids["Done"])]
        assert tuple(task) == (ids["New"], None, None)
        assert note is None
        assert "states" not in columns
    finally:
        storage.close()


def test_fields_keep_working_when_a_database_is_upgraded_to_reference_fields(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """0006: existing fields get no target class and no options; new Option fields get theirs."""
    storage = open_storage(make_database_url(backend), run_migrations=False, secrets=TEST_SECRETS)
    try:
        assert migrate(storage.engine, upto=4, secrets=TEST_SECRETS) == [1, 2, 3, 4]
        with storage.engine.begin() as conn:
            conn.execute(text("INSERT INTO apps (name, auth_key, auth_secret, account_key, schema_version, "
                              "created_at) VALUES ('a', 'k', 's', 'c', 1, 0)"))
            conn.execute(text("INSERT INTO classes (app_id, name, permissions, version, created_at, updated_at) "
                              "VALUES (1, 'C', :p, 1, 0, 0)"),
                         {"p": json.dumps({"acl": {a: {"access": "open", "members": []}
                                                   for a in ("create", "read", "update", "delete")},
                                           "use_class": {}})})
            conn.execute(text("INSERT INTO fields (class_id, name, type, indexed, required, position) "
                              "VALUES (1, 'n', 'Integer', false, false, 0)"))
            conn.execute(text("CREATE TABLE obj_1 (_id VARCHAR(24) PRIMARY KEY, _seq BIGINT, f_1 BIGINT)"))
        assert migrate(storage.engine, secrets=TEST_SECRETS) == [version for version, _, _ in MIGRATIONS if version > 4]
        services = Services.build(storage)
        admin = Actor.admin(1)
        (cls,) = services.classes.list_classes(admin)
        assert (cls.fields["n"].type.name, cls.fields["n"].target_class_id, cls.fields["n"].options) == (
            "Integer", None, ())
        (updated,) = services.classes.apply_classes(admin, read_class_file(
            {"name": "C", "fields": {"n": "Integer", "level": {"type": "Option", "options": ["a", "b"]}}}))
        assert [o.text for o in updated.fields["level"].options] == ["a", "b"]
    finally:
        storage.close()


def test_datum_rows_are_backfilled_when_a_database_is_upgraded(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """0007: records written before datums existed get one row per scalar value and array element."""
    from objectbase.core.actor import Actor
    from objectbase.core.services import Services
    from objectbase.storage import SqlStorage

    url = make_database_url(backend)
    storage = open_storage(url, run_migrations=False, secrets=TEST_SECRETS)
    try:
        assert migrate(storage.engine, upto=4, secrets=TEST_SECRETS) == [1, 2, 3, 4]
        with storage.engine.begin() as conn:
            conn.execute(text("INSERT INTO apps (name, auth_key, auth_secret, account_key, schema_version, "
                              "created_at) VALUES ('a', 'k', 's', 'c', 1, 0)"))
            conn.execute(text("INSERT INTO classes (app_id, name, permissions, version, created_at, updated_at) "
                              "VALUES (1, 'C', :p, 1, 0, 0)"), {"p": json.dumps({
                                  "acl": {a: {"access": "open", "members": []}
                                          for a in ("create", "read", "update", "delete")},
                                  "use_class": {"read": False, "update": False, "delete": False}})})
            class_id = conn.execute(text("SELECT id FROM classes")).scalar_one()
            for position, (name, type_name) in enumerate((("n", "Integer"), ("tags", "String[]"))):
                conn.execute(text("INSERT INTO fields (class_id, name, type, indexed, required, position) "
                                  "VALUES (:c, :n, :t, false, false, :p)"),
                             {"c": class_id, "n": name, "t": type_name, "p": position})
            field_ids = conn.execute(text("SELECT id FROM fields ORDER BY position")).scalars().all()
            acl = ", ".join(f"_{a}_access VARCHAR(24), _{a}_members TEXT" for a in ("read", "update", "delete"))
            conn.execute(text(f"CREATE TABLE obj_{class_id} (_id VARCHAR(24) PRIMARY KEY, _seq BIGINT, "
                              f"user_id BIGINT, _parent_id VARCHAR(24), created_at BIGINT, updated_at BIGINT, "
                              f"{acl}, f_{field_ids[0]} BIGINT, f_{field_ids[1]} TEXT)"))
            conn.execute(text(f"INSERT INTO obj_{class_id} VALUES ('{'a' * 24}', 1, 0, NULL, 0, 0, 'open', NULL, "
                              f"'open', NULL, 'open', NULL, 7, :tags), ('{'b' * 24}', 2, 0, NULL, 0, 0, 'open', "
                              f"NULL, 'open', NULL, 'open', NULL, NULL, NULL)"), {"tags": json.dumps(["x", "y"])})
        assert migrate(storage.engine, secrets=TEST_SECRETS) == [v for v, _, _ in MIGRATIONS if v > 4]
        with storage.engine.connect() as conn:
            rows = conn.execute(text("SELECT field_id, position, record_seq FROM datums ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(field_ids[0], 0, 1), (field_ids[1], 0, 1), (field_ids[1], 1, 1)]
    finally:
        storage.close()
    if backend == "postgresql":
        return  # the hand-made table's TEXT tags are not PostgreSQL's JSONB; SQLite reads them as the app does
    upgraded = SqlStorage(url, secrets=TEST_SECRETS)
    try:
        found = Services.build(upgraded).datum_values.datum_list(Actor.admin(1), "C", "a" * 24)
        assert [(d.field.name, d.datum.position, d.datum.value) for d in found] == [
            ("n", 0, 7), ("tags", 0, "x"), ("tags", 1, "y")]
        assert [d.datum.id for d in found] == sorted(d.datum.id for d in found)
        assert Services.build(upgraded).datum_values.datum_list(Actor.admin(1), "C", "b" * 24) == []
    finally:
        upgraded.close()


def test_classes_keep_their_creation_order_in_the_catalogue_when_a_database_is_upgraded(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """0009: existing classes get positions 0, 1, … per app in id order, no path, not disabled; their
    fields no title and no parameters."""
    storage = open_storage(make_database_url(backend), run_migrations=False, secrets=TEST_SECRETS)
    try:
        assert migrate(storage.engine, upto=8, secrets=TEST_SECRETS) == list(range(1, 9))
        with storage.engine.begin() as conn:
            for app in ("a", "b"):
                conn.execute(text("INSERT INTO apps (name, auth_key, auth_secret, account_key, schema_version, "
                                  "created_at) VALUES (:n, :n, 's', 'c', 1, 0)"), {"n": app})
            for app_id, name in ((1, "A1"), (2, "B1"), (1, "A2"), (1, "A3"), (2, "B2")):
                conn.execute(text("INSERT INTO classes (app_id, name, permissions, version, created_at, updated_at) "
                                  "VALUES (:a, :n, '{}', 1, 0, 0)"), {"a": app_id, "n": name})
            conn.execute(text("INSERT INTO fields (class_id, name, type, indexed, required, position) "
                              "VALUES (1, 'n', 'Integer', false, false, 0)"))
        assert migrate(storage.engine, secrets=TEST_SECRETS) == [v for v, _, _ in MIGRATIONS if v > 8]
        with storage.engine.connect() as conn:
            rows = conn.execute(text("SELECT name, position, path, disabled FROM classes ORDER BY id")).all()
            field = conn.execute(text("SELECT title, parameters FROM fields")).one()
        assert [tuple(r) for r in rows] == [("A1", 0, None, False), ("B1", 0, None, False), ("A2", 1, None, False),
                                            ("A3", 2, None, False), ("B2", 1, None, False)]
        assert tuple(field) == (False, None)
    finally:
        storage.close()


def test_datum_rows_keep_their_ids_and_lose_their_foreign_keys_when_a_database_is_upgraded(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """0014: the rows are kept, no id is reused (SQLite's table is rebuilt with its counter), and a
    datum row no longer needs its app, class or field to exist."""
    storage = open_storage(make_database_url(backend), run_migrations=False, secrets=TEST_SECRETS)
    try:
        assert migrate(storage.engine, upto=13, secrets=TEST_SECRETS) == list(range(1, 11)) + [12, 13]
        with storage.engine.begin() as conn:
            conn.execute(text("INSERT INTO apps (name, auth_key, auth_secret_sealed, account_key, schema_version, "
                              "created_at) VALUES ('a', 'k', 's', 'c', 1, 0)"))
            conn.execute(text("INSERT INTO classes (app_id, name, permissions, version, created_at, updated_at, "
                              "position) VALUES (1, 'C', '{}', 1, 0, 0, 0)"))
            conn.execute(text("INSERT INTO fields (class_id, name, type, indexed, required, position) "
                              "VALUES (1, 'n', 'Integer', false, false, 0)"))
            for seq in (1, 2, 3):
                conn.execute(text("INSERT INTO datums (app_id, class_id, record_seq, field_id, position) "
                                  "VALUES (1, 1, :s, 1, 0)"), {"s": seq})
            conn.execute(text("DELETE FROM datums WHERE record_seq = 3"))  # the highest id: never given again
        assert migrate(storage.engine, upto=14, secrets=TEST_SECRETS) == [14]
        with storage.engine.begin() as conn:
            conn.execute(text("INSERT INTO datums (app_id, class_id, record_seq, field_id, position) "
                              "VALUES (99, 99, 4, 99, 0)"))
            rows = conn.execute(text("SELECT id, record_seq FROM datums ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 1), (2, 2), (4, 4)]
    finally:
        storage.close()


def test_indexed_fields_get_their_access_level_index_when_a_database_is_upgraded(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """0015: a class made before it (here: its index dropped and the migration unrecorded) gets the
    index storage/class_tables.py declares for new classes, and the migration is idempotent."""
    storage = open_storage(make_database_url(backend), secrets=TEST_SECRETS)
    try:
        app_id = Services.build(storage).apps.create_app("upgrade").app_id
        (cls,) = Services.build(storage).classes.apply_classes(Actor.admin(app_id), read_class_file(
            {"name": "C", "fields": {"n": "Integer", "s": "String"}, "indexes": ["n"]}))
        table = storage.class_tables.table(cls)
        declared = {str(ix.name) for ix in table.indexes}
        name = f"ix_{table.name}_f_{cls.fields['n'].id}_acl"
        assert name in declared and f"ix_{table.name}_f_{cls.fields['s'].id}_acl" not in declared
        with storage.engine.begin() as conn:
            conn.execute(text(f'DROP INDEX "{name}"'))
            conn.execute(text("DELETE FROM schema_migrations WHERE version = 15"))
        assert migrate(storage.engine, secrets=TEST_SECRETS) == [15]
        with storage.engine.connect() as conn:
            found = {ix["name"]: ix["column_names"] for ix in sqlalchemy.inspect(conn).get_indexes(table.name)}
        assert declared <= set(found) and name in found
        assert found[name] == ["_read_access", "_archived_at", "_removed_at", f"f_{cls.fields['n'].id}"]
    finally:
        storage.close()


def _index_definitions(conn: sqlalchemy.Connection, table: str) -> dict[str, str]:
    """Each index's CREATE statement as the database keeps it (unquoted: SQLite keeps the text it was given)."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t "
                                 "AND schemaname = current_schema()"), {"t": table})
    else:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                                 "AND sql IS NOT NULL"), {"t": table})
    return {str(name): str(sql).replace('"', "") for name, sql in rows}


def test_parent_and_state_indexes_become_partial_when_a_database_is_upgraded(
        backend: str, make_database_url: Callable[[str], str]) -> None:
    """0016: a class table made before it (here: its two indexes rebuilt whole and the migration
    unrecorded) gets the partial `_parent_id` and `_state_id` indexes new classes get, which hold
    only the records that set the column, and a value lookup still reads them."""
    storage = open_storage(make_database_url(backend), secrets=TEST_SECRETS)
    try:
        services = Services.build(storage)
        app_id = services.apps.create_app("upgrade").app_id
        (cls,) = services.classes.apply_classes(Actor.admin(app_id), read_class_file(
            {"name": "C", "fields": {"n": "Integer"}}))
        table = storage.class_tables.table(cls).name
        names = {column: f"ix_{table}_{column.strip('_')}" for column in ("_parent_id", "_state_id")}
        with storage.engine.connect() as conn:
            declared = _index_definitions(conn, table)
        assert all("WHERE" in declared[name] and "IS NOT NULL" in declared[name] for name in names.values())
        with storage.engine.begin() as conn:
            for column, name in names.items():
                conn.execute(text(f'DROP INDEX "{name}"'))
                conn.execute(text(f'CREATE INDEX "{name}" ON "{table}" ("{column}")'))
            conn.execute(text("DELETE FROM schema_migrations WHERE version = 16"))
            assert "WHERE" not in _index_definitions(conn, table)[names["_parent_id"]]
            for n, parent in enumerate((None, None, "p1")):
                conn.execute(text(f'INSERT INTO "{table}" (_id, _seq, user_id, _parent_id, created_at, updated_at, '
                                  "_read_access, _update_access, _delete_access) "
                                  "VALUES (:id, :seq, 1, :parent, 0, 0, 'open', 'open', 'open')"),
                             {"id": f"r{n}", "seq": n + 1, "parent": parent})
        assert migrate(storage.engine, secrets=TEST_SECRETS) == [16]
        assert migrate(storage.engine, secrets=TEST_SECRETS) == []
        with storage.engine.connect() as conn:
            upgraded = _index_definitions(conn, table)
            assert {name: upgraded[name] for name in names.values()} == {
                name: declared[name] for name in names.values()}
            if backend == "sqlite":
                lookup = f'SELECT _id FROM "{table}" WHERE _parent_id IN (:a, :b)'
                plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + lookup),
                                                                      {"a": "p1", "b": "p2"}))
                assert names["_parent_id"] in plan
                entries = conn.execute(text(f'SELECT count(*) FROM "{table}" INDEXED BY "{names["_parent_id"]}" '
                                            "WHERE _parent_id IS NOT NULL")).scalar_one()
                assert entries == 1
            assert conn.execute(text(f'SELECT _id FROM "{table}" WHERE _parent_id = :p'), {"p": "p1"}).all() == [("r2",)]
    finally:
        storage.close()
