"""How a load's new rows join the rows the embedded store keeps, for each table of rows read (`record`,
`subaward`, `local_record`): one statement template, so every kind of row is merged alike."""

from __future__ import annotations


def merge_new(table: str, keys: tuple[str, ...]) -> str:
    """SQL merging `<table>_new` into `table`. A row already kept (same `keys`: the same record of the same source)
    is added again only if its content changed (the source was fetched again and revised): the new version replaces
    it. `table` and `keys` are constants of the store, never user text."""
    using = ", ".join(keys)
    same = " AND ".join(f"r.{key} = f.{key}" for key in keys)
    return f"""
CREATE OR REPLACE TEMP TABLE {table}_in AS
SELECT * FROM {table}_new QUALIFY row_number() OVER (PARTITION BY {using} ORDER BY run_id) = 1;
CREATE OR REPLACE TEMP TABLE {table}_fresh AS
SELECT * EXCLUDE (run_id) FROM {table}_in
EXCEPT SELECT r.* EXCLUDE (run_id) FROM {table} r SEMI JOIN {table}_in n USING ({using});
DELETE FROM {table} r USING {table}_fresh f WHERE {same};
INSERT INTO {table} SELECT n.* FROM {table}_in n SEMI JOIN {table}_fresh f USING ({using});
"""
