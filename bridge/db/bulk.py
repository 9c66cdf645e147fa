"""Inserting thousands of rows at once: ``COPY`` on PostgreSQL, a multi-row insert elsewhere.

Re-judging every opportunity writes ten thousand evaluations and eighty thousand findings. As
multi-row ``INSERT … VALUES`` statements, PostgreSQL's driver parsed each statement's thousands
of placeholders anew (statements that long are not cached) and the server planned each one:
a fifth of the whole pass. ``COPY`` streams the same rows with neither. Values go through each
column's own bind processing first (aware UTC times, JSON documents), so a row stored by
``COPY`` is the row an ``INSERT`` would have stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.orm import Session

Row = Mapping[str, Any]


def insert_rows(session: Session, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (each with the same keys) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    else:
        session.execute(insert(table), list(rows))


def insert_rows_with_ids(
    session: Session, table: Table, rows: Sequence[Row], key: str = "id"
) -> list[int]:
    """Insert ``rows`` and return the ids the table's sequence gave them, in the rows' order.

    On PostgreSQL the ids are drawn from the sequence first and written with the rows, as
    ``COPY`` returns nothing; elsewhere ``RETURNING`` gives them back in parameter order.
    """
    if not rows:
        return []
    connection = session.connection()
    column = table.c[key]
    if connection.dialect.name != "postgresql":
        inserted = session.execute(
            insert(table).returning(column, sort_by_parameter_order=True), list(rows)
        )
        return list(inserted.scalars())
    sequence = func.pg_get_serial_sequence(table.name, key)
    numbers = func.generate_series(1, len(rows))
    ids = list(session.scalars(select(func.nextval(sequence)).select_from(numbers)))
    _copy(connection, table, [{**row, key: id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids


def _copy(connection: Connection, table: Table, rows: Sequence[Row]) -> None:
    from psycopg import sql

    names = list(rows[0])
    convert = [_bind_processor(connection, table, name) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    row[name] if process is None else process(row[name])
                    for name, process in zip(names, convert, strict=True)
                ]
            )


def _bind_processor(connection: Connection, table: Table, name: str) -> Callable[[Any], Any] | None:
    dialect = connection.dialect
    return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
