"""The model every part shares: the schema (labels, keys, fields), normalized records, keys and dates.

`ingest/` and `graph/` both import from here; `graph/` never imports from `ingest/`.
"""
