"""Rows as Arrow tables for the embedded store's writes: DuckDB reads them column by column, far faster
than row by row. Imported only when writing, so opening a store to read does not pay for pyarrow."""

from __future__ import annotations

import pyarrow as pa

from core.facts import RECORD_FIELDS, SUBAWARD_FIELDS
from core.local_rows import LOCAL_FIELDS

ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DATE": pa.string(),
    "DOUBLE": pa.float64(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
}


def schema(fields) -> pa.Schema:
    return pa.schema([(field.name, ARROW_TYPES[field.type]) for field in fields] + [("run_id", pa.int32())])


RECORD_SCHEMA, SUBAWARD_SCHEMA, LOCAL_SCHEMA = schema(RECORD_FIELDS), schema(SUBAWARD_FIELDS), schema(LOCAL_FIELDS)


def columns(rows: list[dict], schema: pa.Schema, run: int) -> pa.Table:
    """Rows as an Arrow table, column by column (much faster than row by row), stamped with the run."""
    names = schema.names[:-1]
    arrays = [pa.array([row[name] for row in rows], schema.field(name).type) for name in names]
    return pa.Table.from_arrays([*arrays, pa.array([run] * len(rows), pa.int32())], schema=schema)


FRAME_TYPES = {"aliases": pa.list_(pa.string()), "curated": pa.bool_()}


def frame(con, name: str, columns: list[str], rows: list[tuple]) -> None:
    """A temporary table `name` (a constant) holding rows computed in Python."""
    frame_rows = pa.table(  # noqa: F841 (read by name below)
        {
            column: pa.array([row[i] for row in rows], FRAME_TYPES.get(column, pa.string()))
            for i, column in enumerate(columns)
        }
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM frame_rows")
