"""Statements compiled once and run on the DB-API cursor, for the few queries every request makes.

SQLAlchemy's per-execution work (building the construct, its cache key, an execution context, a
result object) costs several times what SQLite takes to answer a primary-key lookup. A `Prepared`
statement does that work once per database dialect; running it binds the parameters through the
column types' own processors, executes on the connection's cursor, and converts result values
through the types' result processors, so values come back exactly as `Connection.execute` gives them."""

from __future__ import annotations

import operator
from typing import Any, Callable, Mapping, Sequence

import orjson
from sqlalchemy import Connection, Dialect, Insert, Table, bindparam, exc, insert
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from objectbase.storage.deferred import DEFERRED_KEY, defer, run_deferred


__all__ = ["Prepared", "PreparedCache", "copy_statement", "insert_statement", "tuple_getter"]

Processor = Callable[[Any], Any] | None

# From this many rows on, an INSERT's execute_many is a COPY on PostgreSQL. A COPY costs a round trip
# more than a pipelined executemany, so one client write's few rows (its record, event and a datum
# row per value) stay statements; a bulk import's batches are COPYs.
COPY_FROM_ROWS = 50


class Prepared:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        self.positional = compiled.positional
        self.names = names
        self.bind_processors: dict[str, Processor] = {
            name: compiled.binds[name].type._cached_bind_processor(dialect) for name in compiled.binds}
        # Literal values bound at construction (constants inside the statement).
        self.defaults = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        self.columns = [entry[0] for entry in compiled._result_columns]
        self._result_types = [entry[3] for entry in compiled._result_columns]
        self.dialect = dialect
        self.dbapi_error: type[Exception] = dialect.loaded_dbapi.Error
        # (index, processor) of the columns whose values the driver does not already return as
        # Python wants them; worked out at the first run, from the driver's own column types.
        self.converted: list[tuple[int, Callable[[Any], Any]]] | None = None
        # Those columns' values of a row, and what they are in a row with all of them NULL (most
        # rows: member lists are NULL unless set), which then needs no conversion at all.
        self._converted_values: Callable[[Any], Sequence[Any]] = tuple
        self._all_null: tuple[None, ...] = ()
        # What callers derive from the statement once (e.g. a reader of its rows, storage/records.py).
        self.derived: dict[str, Any] = {}
        # PostgreSQL: an INSERT's rows can go through one COPY instead (see execute_many).
        self.copy_sql: Any = None
        if isinstance(statement, Insert) and dialect.name == "postgresql" and not self.defaults:
            self.copy_sql = copy_statement(str(statement.table.name), names)

    def _parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        bound: dict[str, Any] = {}
        for name in self.bind_processors:
            value = values[name] if name in values else self.defaults[name]
            processor = self.bind_processors[name]
            bound[name] = processor(value) if processor is not None else value
        return [bound[name] for name in self.names] if self.positional else bound

    def _run(self, conn: Connection, values: Mapping[str, Any], fetch: bool,
             sql: str | None = None) -> tuple[list[Any], int]:
        """`sql`: another text over the same parameters (an EXPLAIN of this statement)."""
        parameters = self._parameters(values)
        if DEFERRED_KEY in conn.info:
            run_deferred(conn)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql or self.sql, parameters)
            if sql is None and self.converted is None and cursor.description is not None:
                processors = [type_._cached_result_processor(self.dialect, column[1])
                              for type_, column in zip(self._result_types, cursor.description)]
                self.converted = [(index, p) for index, p in enumerate(processors) if p is not None]
                indexes = [index for index, _p in self.converted]
                self._converted_values = tuple_getter(indexes)
                self._all_null = (None,) * len(indexes)
            return (cursor.fetchall() if fetch else []), int(cursor.rowcount)
        except self.dbapi_error as error:
            # As SQLAlchemy would raise it, so storage/errors.py translates it like any other.
            raise exc.DBAPIError.instance(sql or self.sql, parameters, error, self.dbapi_error) from error
        finally:
            cursor.close()

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        fetched, _count = self._run(conn, values, fetch=True)
        if not self.converted:
            return fetched
        rows: list[Sequence[Any]] = []
        converted_values, all_null = self._converted_values, self._all_null
        for row in fetched:
            if converted_values(row) == all_null:
                rows.append(row)
                continue
            row = list(row)
            for index, processor in self.converted:
                value = row[index]
                # NULL is None through every type's processor; most member lists are NULL.
                if value is not None:
                    row[index] = processor(value)
            rows.append(row)
        return rows

    def mappings(self, conn: Connection, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        columns = self.columns
        return [dict(zip(columns, row)) for row in self.rows(conn, values)]

    def planned_rows(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """PostgreSQL's planner estimate of the rows this query returns (EXPLAIN, nothing run)."""
        plan = self._run(conn, values, fetch=True, sql=f"EXPLAIN (FORMAT JSON) {self.sql}")[0][0][0]
        if isinstance(plan, str):  # a driver that does not decode json
            plan = orjson.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> int:
        """Runs a statement without results; returns the rows it changed."""
        return self._run(conn, values, fetch=False)[1]

    def execute_later(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """`execute_many`, which on PostgreSQL may wait for the transaction's next statement or its
        COMMIT and go in the same round trip (storage/deferred.py). For rows nothing reads back
        before the next statement, and that no constraint of the caller's own may refuse."""
        if self.dialect.name != "postgresql" or len(rows) >= COPY_FROM_ROWS:
            self.execute_many(conn, rows)
        elif rows:
            defer(conn, self.sql, [self._parameters(row) for row in rows])

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Runs a statement without results once per row of parameters, in one driver call. On
        PostgreSQL an INSERT of many rows is one COPY: psycopg's executemany still sends a statement
        per row, several times the cost of a row of COPY (an import's batches, bench/export_import.py)."""
        parameters = [self._parameters(row) for row in rows]
        if DEFERRED_KEY in conn.info:
            run_deferred(conn)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if self.copy_sql is not None and len(parameters) >= COPY_FROM_ROWS:
                with cursor.copy(self.copy_sql) as copy:
                    for bound in parameters:
                        copy.write_row(bound if self.positional else [bound[n] for n in self.names])  # type: ignore[call-overload]
            elif len(parameters) == 1:
                # psycopg runs executemany in pipeline mode, whose set-up and sync cost more than
                # one plain execute (a request's one record or event: bench/inprocess.py W1, W5).
                cursor.execute(self.sql, parameters[0])
            else:
                cursor.executemany(self.sql, parameters)
        except self.dbapi_error as error:
            raise exc.DBAPIError.instance(self.sql, parameters, error, self.dbapi_error) from error
        finally:
            cursor.close()


def copy_statement(table: str, columns: Sequence[str]) -> Any:
    """PostgreSQL's `COPY table (columns) FROM STDIN`, every name quoted by the driver."""
    from psycopg import sql  # the PostgreSQL driver, present whenever this dialect is

    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))


def insert_statement(table: Table, names: Sequence[str]) -> Insert:
    """INSERT of the named columns, each bound by its column's name and type. Inline: no RETURNING
    of the generated id, which PostgreSQL's compilation adds otherwise and no caller reads."""
    return insert(table).inline().values({name: bindparam(name, type_=table.c[name].type) for name in names})


class PreparedCache:
    """Prepared statements by a key the caller chooses (a query's shape), at most `size` of them:
    the oldest is dropped first, so one-off shapes cannot grow it without bound."""

    def __init__(self, dialect: Dialect, size: int = 512) -> None:
        self.dialect = dialect
        self.size = size
        self._entries: dict[Any, Prepared] = {}

    def get(self, key: Any, build: Callable[[], ClauseElement]) -> Prepared:
        prepared = self._entries.get(key)
        if prepared is None:
            if len(self._entries) >= self.size:
                try:
                    del self._entries[next(iter(self._entries))]
                except (KeyError, RuntimeError, StopIteration):
                    pass  # another thread evicted at the same moment: the cache is bounded either way
            prepared = self._entries[key] = Prepared(build(), self.dialect)
        return prepared


def tuple_getter(indexes: Sequence[Any]) -> Callable[[Any], Sequence[Any]]:
    """The items of a row at `indexes`, always as a tuple (`itemgetter` of one index returns the item)."""
    if len(indexes) > 1:
        return operator.itemgetter(*indexes)
    return lambda row: tuple(row[i] for i in indexes)
