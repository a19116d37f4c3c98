"""`dolbom packs validate|diff|apply|export <slug>`.

A pack is named by its folder `tenants/<slug>/` or by a path; `--pack` applies or compares
another folder to the tenant `<slug>` (e.g. an exported pack to a fresh tenant)."""

from __future__ import annotations

from pathlib import Path

import click

from dolbom.config import ROOT


def pack_folder(name: str) -> Path:
    path = Path(name)
    return path if path.is_dir() or "/" in name else ROOT / "tenants" / name


@click.group("packs")
def packs() -> None:
    """Municipality config packs: validate, diff, apply, export."""


@packs.command("validate")
@click.argument("pack")
def validate(pack: str) -> None:
    """Check a pack in full; every error with its file and field."""
    from dolbom.tenancy.packs import read_pack

    path = pack_folder(pack)
    p = read_pack(path)
    dongs = sum(len(g.dongs) for g in p.districts)
    cat = p.catalogue
    click.echo(
        f"{path}: ok ({p.slug}, {len(p.districts)} gu, {dongs} dongs, {len(p.forms)} forms, "
        f"{len(p.rules)} rule sets, {len(cat.programmes) if cat else 0} programmes, "
        f"{len(cat.providers) if cat else 0} providers"
        + (f"; 채울 것 {len(p.todo)}가지" if p.todo else "")
        + ")"
    )


def _load(c, slug: str, pack: str | None):  # type: ignore[no-untyped-def]
    from dolbom.tenancy.packs import read_pack

    p = read_pack(pack_folder(pack or slug))
    c.connect(redis=False)
    return p


@packs.command("diff")
@click.argument("slug")
@click.option("--pack", default=None, help="a pack folder other than tenants/<slug>/")
@click.pass_obj
def diff_cmd(c, slug: str, pack: str | None) -> None:  # type: ignore[no-untyped-def]
    """What applying the pack would change in tenant <slug>."""
    from dolbom.packs.apply import preview
    from dolbom.packs.diff import render_text

    click.echo(render_text(preview(slug, _load(c, slug, pack))))


@packs.command("apply")
@click.argument("slug")
@click.option("--pack", default=None, help="a pack folder other than tenants/<slug>/")
@click.option("--yes", is_flag=True, help="apply without asking (the difference is still shown)")
@click.pass_obj
def apply_cmd(c, slug: str, pack: str | None, yes: bool) -> None:  # type: ignore[no-untyped-def]
    """Show the difference, then apply all of it or nothing."""
    from dolbom.packs.apply import apply_pack, preview
    from dolbom.packs.diff import effective, render_text

    p = _load(c, slug, pack)
    c.connect()
    changes = preview(slug, p)
    click.echo(render_text(changes))
    if not effective(changes):
        return
    if not yes and not click.confirm("적용할까요?", default=False):
        raise SystemExit(1)
    apply_pack(slug, p, user_id=None, expected=changes)
    click.echo(f"{slug}: 적용했습니다 ({len(effective(changes))}건)")


@packs.command("export")
@click.argument("slug")
@click.argument("folder", type=click.Path(path_type=Path), required=False)
@click.pass_obj
def export_cmd(c, slug: str, folder: Path | None) -> None:  # type: ignore[no-untyped-def]
    """Write tenant <slug>'s configuration as a pack (default: ./<slug>-pack/)."""
    from dolbom.packs.export import export_pack

    c.connect(redis=False)
    target = export_pack(slug, folder or Path(f"{slug}-pack"))
    click.echo(f"{slug}: {target}에 내보냈습니다")
