"""The `dolbom` command as an operator uses it: clear one-line refusals, non-zero exits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dolbom import db
from dolbom.migrate.streams import core_stream
from dolbom.tenancy.operations import get_tenant
from tests.fixtures import ROOT, child_env, unique


@pytest.fixture
def dolbom(settings, tmp_path):  # type: ignore[no-untyped-def]
    env = child_env(settings, tmp_path)

    def run(*args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dolbom", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**env, **extra},
            timeout=120,
        )

    return run


def exists(slug: str) -> bool:
    with db.shared_session() as s:
        return get_tenant(s, slug) is not None


def refused(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert text in lines[0]


def test_create_list_and_drop(dolbom, make_tenant):
    slug = unique("cli")
    created = dolbom(
        "tenants", "create", slug, "--name", "시험군", "--pack", str(ROOT / "tenants" / "jeonju")
    )
    refused_pack = created  # the pack's slug is jeonju, not this one
    refused(refused_pack, "팩의 slug 'jeonju'")
    assert not exists(slug)
    ok = dolbom("tenants", "create", slug, "--name", "시험군")
    assert ok.returncode == 0, ok.stderr
    assert f"created tenant {slug}" in ok.stdout
    listing = dolbom("tenants", "list")
    assert slug in listing.stdout and core_stream().head in listing.stdout
    refused(dolbom("tenants", "create", slug, "--name", "다른 이름"), "이미 있습니다")
    with db.shared_session() as s:
        assert get_tenant(s, slug).name == "시험군"  # left untouched
    no = dolbom("tenants", "drop", slug, stdin="wrong\n")
    assert no.returncode != 0 and exists(slug)
    yes = dolbom("tenants", "drop", slug, stdin=f"{slug}\n")
    assert yes.returncode == 0 and not exists(slug)


@pytest.mark.parametrize(
    "slug", ["Jeonju", "x", "admin", "ministry", "p", "has_underscore", "9city", "a" * 33]
)
def test_bad_slugs_are_refused(dolbom, slug):
    refused(dolbom("tenants", "create", slug, "--name", "x"), slug)


def test_pack_errors_name_file_and_field(dolbom, tmp_path):
    slug = unique("pk")
    pack = tmp_path / slug
    pack.mkdir()
    (pack / "tenant.yaml").write_text(f"slug: {slug}\nname: 시험시\n", encoding="utf-8")
    (pack / "districts.yaml").write_text(
        "gu:\n  - code: a\n    name: 가구\n    dongs:\n      - {code: d1}\n"
        "      - {code: d2, name: 나동, valid_from: 2025-13-01}\n",
        encoding="utf-8",
    )
    result = dolbom("tenants", "create", slug, "--name", "시험시", "--pack", str(pack))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "districts.yaml: gu[0].dongs[0].name: 필수 항목이 없습니다" in result.stderr
    assert "districts.yaml: gu[0].dongs[1].valid_from" in result.stderr
    assert not exists(slug)
    (pack / "districts.yaml").write_text(
        "gu:\n  - {code: a, name: 가구}\n  - {code: a, name: " + "나" * 51 + "}\n",
        encoding="utf-8",
    )
    twice = dolbom("tenants", "create", slug, "--name", "시험시", "--pack", str(pack))
    assert "gu[1].code: 구 코드 'a'가 중복됩니다" in twice.stderr
    assert "gu[1].name: 50자를 넘을 수 없습니다" in twice.stderr
    assert not exists(slug)
    (pack / "districts.yaml").write_text("gu: [\n", encoding="utf-8")
    broken = dolbom("packs", "validate", str(pack))
    assert broken.returncode == 1 and "YAML 형식 오류" in broken.stderr


def test_shipped_packs_validate(dolbom):
    for slug in ("jeonju", "daejeon"):
        result = dolbom("packs", "validate", str(ROOT / "tenants" / slug))
        assert result.returncode == 0, result.stderr
    assert "34" not in dolbom("packs", "validate", str(ROOT / "tenants" / "jeonju")).stderr


def test_export_and_import_round_trip(dolbom, make_tenant, tmp_path):
    slug = make_tenant()
    dump = tmp_path / "dump.tar.gz"
    out = dolbom("tenants", "export", slug, str(dump))
    assert out.returncode == 0 and dump.exists(), out.stderr
    refused(dolbom("tenants", "import", str(dump)), "이미 있습니다")
    assert dolbom("tenants", "drop", slug, "--yes").returncode == 0
    back = dolbom("tenants", "import", str(dump))
    assert back.returncode == 0 and exists(slug), back.stderr


def test_unreachable_database_is_one_line(dolbom):
    result = dolbom("tenants", "list", DOLBOM_DATABASE_URL="postgresql://127.0.0.1:1/nothing")
    refused(result, "cannot reach the database")


def test_production_refuses_missing_keys(dolbom):
    result = dolbom(
        "tenants", "list", DOLBOM_ENV="production", DOLBOM_SECRET_KEY="", DOLBOM_PII_KEY=""
    )
    refused(result, "DOLBOM_SECRET_KEY, DOLBOM_PII_KEY")


def test_demo_accounts_never_in_production(dolbom):
    result = dolbom(
        "demo",
        "seed",
        DOLBOM_ENV="production",
        DOLBOM_DEMO="1",
        DOLBOM_SECRET_KEY="k" * 40,
        DOLBOM_PII_KEY="p" * 40,
    )
    refused(result, "demo data only in demo mode")


def test_bad_setting_is_one_line(dolbom):
    refused(dolbom("tenants", "list", DOLBOM_DB_POOL_SIZE="lots"), "DOLBOM_DB_POOL_SIZE")


def test_upgrade_command(dolbom):
    result = dolbom("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "already at head" in result.stdout
