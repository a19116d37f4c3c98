"""The comparison endpoint for benchmark 4: one indexed query and nothing else.

Served by gunicorn like the real app (`gunicorn 'bench.bare:create_app()'`), with the same
engine and pool settings (`dolbom.db`), so the difference between the two is what the app does around the
query: sessions, CSRF, tenant look-up, membership check, templates, logging, metrics."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask

from dolbom import db
from dolbom.config import normalise_database_url

QUERY = sa.text("SELECT id FROM dolbom.tenant WHERE slug = :slug")


def create_app() -> Flask:
    """`gunicorn 'bench.bare:create_app()'`; the database URL comes from DOLBOM_DATABASE_URL."""
    db.configure(
        normalise_database_url(os.environ["DOLBOM_DATABASE_URL"]),
        pool_size=int(os.environ.get("DOLBOM_DB_POOL_SIZE", "5")),
    )
    slug = os.environ.get("BENCH_BARE_SLUG", "jeonju")
    app = Flask("bench_bare")

    @app.get("/tenant-id")
    def tenant_id() -> dict[str, int | None]:
        with db.get_engine().connect() as conn:
            value = conn.execute(QUERY, {"slug": slug}).scalar()
        return {"id": value}

    return app
