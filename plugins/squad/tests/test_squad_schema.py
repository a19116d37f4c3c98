"""The plugin's migration and its models agree: autogenerate finds no difference."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dolbom import db
from dolbom.tenancy.operations import set_plugin
from dolbom_squad.models import Base


def test_autogenerate_finds_no_difference(make_tenant):
    slug = make_tenant()
    set_plugin(slug, "squad", True)
    with db.get_engine().begin() as conn:
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{db.schema_for(slug)}"')
        context = MigrationContext.configure(
            conn,
            opts={
                "include_name": lambda name, type_, parent: (
                    type_ != "table" or name in Base.metadata.tables
                ),
                "compare_type": True,
            },
        )
        assert compare_metadata(context, Base.metadata) == []
