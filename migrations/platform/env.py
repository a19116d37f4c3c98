"""Alembic environment for the shared schema (`dolbom`). Run through `dolbom db upgrade`."""

from alembic import context

import dolbom.models  # noqa: F401  (fills the metadata)
from dolbom.db import SHARED_SCHEMA, SharedBase

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SharedBase.metadata,
    version_table_schema=SHARED_SCHEMA,
    include_schemas=True,
    include_name=lambda name, type_, parent: type_ != "schema" or name == SHARED_SCHEMA,
)
with context.begin_transaction():
    context.run_migrations()
