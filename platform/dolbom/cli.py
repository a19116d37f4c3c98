"""The `dolbom` command. Refusals exit non-zero with one clear line, never a traceback."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import click

from dolbom.config import ConfigError, Settings


def _user_errors() -> tuple[type[BaseException], ...]:
    from dolbom.tenancy.operations import TenantError
    from dolbom.tenancy.packs import PackError
    from dolbom.tenancy.slugs import SlugError

    return (TenantError, PackError, SlugError, ConfigError, FileExistsError)


class Context:
    def __init__(self) -> None:
        self.settings = Settings.from_env()
        self._services = None

    def connect(self, *, redis: bool = True):  # type: ignore[no-untyped-def]
        from dolbom import services

        if self._services is None:
            self._services = services.connect(self.settings, redis=redis)
        return self._services

    def close(self) -> None:
        if self._services is not None:
            from dolbom import db

            db.dispose()
            self._services.stop()


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Dolbom (돌봄) platform commands."""
    c = Context()
    ctx.obj = c
    ctx.call_on_close(c.close)


# --- db ---------------------------------------------------------------------------------------
@cli.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--processes", type=int, default=None, help="parallel tenant migrations")
@click.option("--verify", is_flag=True, help="read each tenant schema, not the catalogue")
@click.pass_obj
def db_upgrade(c: Context, processes: int | None, verify: bool) -> None:
    """Migrate the shared schema, then every tenant that is behind."""
    from dolbom.migrate.runner import upgrade_all

    c.connect(redis=False)  # migrations need only the database
    report = upgrade_all(processes or c.settings.migrate_processes or None, verify=verify)
    for o in report.outcomes:
        mark = "ok" if o.ok else "FAILED"
        click.echo(f"  {o.slug:<24} {mark:<7} {o.seconds:6.2f}s  {o.error or ''}")
    click.echo(
        f"{report.tenants} tenants: {report.at_head} already at head, "
        f"{len(report.outcomes) - len(report.failed)} migrated, {len(report.failed)} failed "
        f"({report.seconds:.2f}s)"
    )
    if report.failed:
        raise SystemExit(1)


# --- tenants ----------------------------------------------------------------------------------
@cli.group()
def tenants() -> None:
    """Create, list, drop, export and import tenants."""


@tenants.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="기관 이름 (예: 전주시)")
@click.option("--region", default=None)
@click.option("--pack", "pack_path", type=click.Path(path_type=Path), default=None)
@click.pass_obj
def tenants_create(
    c: Context, slug: str, name: str, region: str | None, pack_path: Path | None
) -> None:
    from dolbom.tenancy.operations import create_tenant
    from dolbom.tenancy.packs import read_pack
    from dolbom.tenancy.slugs import check_slug

    check_slug(slug)
    pack = read_pack(pack_path) if pack_path else None
    c.connect()
    created = create_tenant(slug, name, region=region or (pack.region if pack else None), pack=pack)
    click.echo(
        f"created tenant {slug} ({name}) in {created.provision_seconds:.3f}s"
        + (f", pack loaded in {created.pack_seconds:.3f}s" if pack else "")
    )


@tenants.command("list")
@click.pass_obj
def tenants_list(c: Context) -> None:
    from dolbom.admin.queries import tenant_rows
    from dolbom.db import shared_session

    c.connect()
    with shared_session() as s:
        rows = tenant_rows(s)
        click.echo(f"{'slug':<20} {_pad('name', 16)} {'schema version':<16} plugins")
        for r in rows:
            plugins = ",".join(sorted(r.tenant.enabled_plugins())) or "-"
            click.echo(
                f"{r.tenant.slug:<20} {_pad(r.tenant.name, 16)} {r.revision or '?':<16} {plugins}"
            )


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: Hangul takes two terminal columns."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


@tenants.command("drop")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="do not ask for the slug again")
@click.pass_obj
def tenants_drop(c: Context, slug: str, yes: bool) -> None:
    from dolbom.tenancy.operations import drop_tenant

    if not yes:
        again = click.prompt(
            f"This deletes every record of '{slug}'. Type the slug to confirm",
            default="",
            show_default=False,
        )
        if again != slug:
            raise click.ClickException("slug did not match; nothing dropped")
    c.connect()
    drop_tenant(slug)
    click.echo(f"dropped tenant {slug}")


@tenants.command("export")
@click.argument("slug")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
def tenants_export(c: Context, slug: str, file: Path) -> None:
    from dolbom.tenancy.dump import export_tenant

    c.connect()
    manifest = export_tenant(slug, file)
    rows = sum(t["rows"] for t in manifest["tables"])
    click.echo(f"exported {slug}: {len(manifest['tables'])} tables, {rows} rows → {file}")


@tenants.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
def tenants_import(c: Context, file: Path) -> None:
    from dolbom.tenancy.dump import import_tenant

    c.connect()
    slug = import_tenant(file)
    click.echo(f"imported tenant {slug} from {file}")


# --- plugins ----------------------------------------------------------------------------------
@cli.group()
def plugins() -> None:
    """Installed plugins and their per-tenant switch."""


@plugins.command("list")
def plugins_list() -> None:
    from dolbom.plugins.host import get_host

    for name, plugin in sorted(get_host().plugins.items()):
        click.echo(f"{name:<24} {plugin.title}")


@plugins.command("enable")
@click.argument("slug")
@click.argument("plugin")
@click.pass_obj
def plugins_enable(c: Context, slug: str, plugin: str) -> None:
    from dolbom.tenancy.operations import set_plugin

    c.connect()
    set_plugin(slug, plugin, True)
    click.echo(f"{plugin} enabled for {slug}")


@plugins.command("disable")
@click.argument("slug")
@click.argument("plugin")
@click.option("--purge", is_flag=True, help="also remove the plugin's tables and data")
@click.pass_obj
def plugins_disable(c: Context, slug: str, plugin: str, purge: bool) -> None:
    from dolbom.tenancy.operations import set_plugin

    c.connect()
    set_plugin(slug, plugin, False, purge=purge)
    click.echo(f"{plugin} disabled for {slug}" + (" (tables removed)" if purge else ""))


# --- packs ------------------------------------------------------------------------------------
def _add_packs() -> None:
    from dolbom.packs.cli import packs

    cli.add_command(packs)


_add_packs()


# --- demo, worker, run ------------------------------------------------------------------------
@cli.group()
def demo() -> None:
    """Demo tenants and accounts."""


@demo.command("seed")
@click.pass_obj
def demo_seed(c: Context) -> None:
    from dolbom import demo as demo_data

    if not c.settings.demo:
        raise click.ClickException(
            "demo data only in demo mode (embedded database or DOLBOM_DEMO=1)"
        )
    c.connect()
    for line in demo_data.seed():
        click.echo(f"  created {line}")


@cli.command()
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
@click.argument("queues", nargs=-1)
@click.pass_obj
def worker(c: Context, burst: bool, queues: tuple[str, ...]) -> None:
    """Run an RQ worker (with the scheduler) on the named queues."""
    from rq import Worker

    from dolbom.jobs import QUEUES
    from dolbom.kv import get_redis

    c.connect()
    w = Worker(list(queues or QUEUES), connection=get_redis())
    w.work(burst=burst, with_scheduler=True, logging_level="WARNING")


@cli.command()
@click.pass_obj
def cron(c: Context) -> None:
    """Queue the scheduled jobs on time until stopped: deadline reminders and district moves
    every hour, the ministry's rollup every night."""
    import logging

    from rq.cron import CronScheduler

    from dolbom.kv import get_redis
    from dolbom.ministry.jobs import register_schedule as ministry_schedule
    from dolbom.tasks.jobs import register_schedule

    c.connect()
    scheduler = CronScheduler(connection=get_redis(), logging_level=logging.WARNING)
    register_schedule(scheduler)
    ministry_schedule(scheduler)
    scheduler.start()


@cli.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--debug", is_flag=True, help="Flask's debug server instead of gunicorn")
@click.pass_obj
def run(c: Context, host: str, port: int, debug: bool) -> None:
    """Start services, migrate, seed the demo, serve the app and a worker; Ctrl-C stops all."""
    from dolbom import db as dbmod
    from dolbom import demo as demo_data
    from dolbom.migrate.runner import upgrade_all
    from dolbom.supervisor import (
        ChildFailed,
        Supervisor,
        answers,
        cron_command,
        web_command,
        worker_command,
    )

    started = time.perf_counter()
    sup = Supervisor()  # signal handlers first: Ctrl-C during start-up still cleans up
    svc = c.connect()
    report = upgrade_all()
    click.echo(f"database: {report.tenants} tenants, {len(report.outcomes)} migrated")
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} tenants failed to migrate")
    if c.settings.demo:
        demo_data.seed()
    dbmod.dispose()  # the children make their own connections
    env = dict(
        os.environ,
        DOLBOM_DATABASE_URL=svc.database_url,
        DOLBOM_REDIS_URL=svc.redis_url,
        DOLBOM_INSTANCE=str(c.settings.instance),
    )
    if c.settings.demo:
        env["DOLBOM_DEMO"] = "1"
    metrics_dir = c.settings.instance / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    try:
        sup.start("web", web_command(host, port, debug), env)
        sup.start("worker", worker_command(), env)
        sup.start("cron", cron_command(), env)
        sup.wait_until(answers(f"http://{host}:{port}/healthz"))
        if sup.stopping:
            return
        click.echo(
            f"\nDolbom is running at http://{host}:{port}  (ready in "
            f"{time.perf_counter() - started:.1f}s; Ctrl-C stops everything)"
        )
        if c.settings.demo:
            click.echo(f"Demo accounts (password: {demo_data.PASSWORD}):")
            for email, role in demo_data.accounts():
                click.echo(f"  {email:<32} {role}")
        sup.watch()
    except ChildFailed as exc:
        raise click.ClickException(
            f"stopped: {exc} exited (is port {port} already in use? see the output above)"
        ) from None
    finally:
        sup.stop_all()
        click.echo("stopped")


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(1) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except _user_errors() as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except SystemExit:
        raise
    except Exception as exc:
        if os.environ.get("DOLBOM_TRACEBACK"):
            raise
        click.echo(f"error: {_explain(exc)}", err=True)
        raise SystemExit(1) from None


def _explain(exc: Exception) -> str:
    """One line for an operator; DOLBOM_TRACEBACK=1 shows the whole story instead."""
    from psycopg import errors as pg
    from sqlalchemy.exc import DataError, OperationalError, ProgrammingError, SQLAlchemyError

    orig = getattr(exc, "orig", None)
    if isinstance(exc, OperationalError):
        return "cannot reach the database (check DOLBOM_DATABASE_URL)"
    if isinstance(exc, ProgrammingError) and isinstance(
        orig, pg.UndefinedTable | pg.InvalidSchemaName
    ):
        return "the database is not migrated yet: run `dolbom db upgrade` first"
    if isinstance(exc, DataError):
        return f"a value does not fit the database ({type(orig).__name__}); check the input"
    if isinstance(exc, SQLAlchemyError):
        return f"the database refused the command ({type(orig or exc).__name__})"
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first} (DOLBOM_TRACEBACK=1 shows the traceback)"


if __name__ == "__main__":
    main()
