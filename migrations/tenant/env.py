"""Alembic environment for one tenant schema, core stream or a plugin's branch.

The runner passes the connection (already inside the tenant's single transaction, with
`schema_translate_map` and `SET LOCAL search_path` pointing at the tenant schema), the schema
name, the version table of the stream and the stream's metadata."""

from alembic import context

attrs = context.config.attributes
context.configure(
    connection=attrs["connection"],
    target_metadata=attrs["metadata"],
    version_table=attrs["version_table"],
    version_table_schema=attrs["schema"],
    include_name=attrs.get("include_name"),
)
with context.begin_transaction():
    context.run_migrations()
