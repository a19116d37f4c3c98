from __future__ import annotations

import json
import logging

from dolbom.identity.models import Role


def test_healthz_reports_database_and_redis(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_metrics_for_operators_only(client, signed_in):
    assert client.get("/metrics").status_code == 403
    operator = signed_in(platform_role=Role.PLATFORM_OPERATOR)
    operator.get("/admin/")
    r = operator.get("/metrics")
    assert r.status_code == 200
    assert 'dolbom_request_seconds_bucket{le="0.005",method="GET",route="/admin/"' in r.text
    assert 'dolbom_queue_length{queue="default"}' in r.text
    assert 'dolbom_jobs_failed{queue="low"}' in r.text


def test_metrics_with_a_bearer_token(app, settings):
    from dataclasses import replace

    from dolbom.app import create_app

    scraped = create_app(replace(settings, metrics_token="s3cret-token"), connect=False)
    client = scraped.test_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert (
        client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    )


def test_one_log_line_per_request_without_personal_data(signed_in, make_tenant, caplog):
    slug = make_tenant()
    client = signed_in("coordinator", slug)
    caplog.set_level(logging.INFO, logger="dolbom.request")
    caplog.clear()
    client.get(f"/{slug}/?name=홍길동&rrn=780101-1234567")
    (record,) = [r for r in caplog.records if r.name == "dolbom.request"]
    fields = record.fields  # type: ignore[attr-defined]
    assert fields["tenant"] == slug and fields["status"] == 200
    assert fields["route"] == "/<tenant>/" and isinstance(fields["user_id"], int)
    assert len(fields["request_id"]) >= 8 and fields["ms"] >= 0
    line = json.dumps(fields, ensure_ascii=False)
    assert "홍길동" not in line and "780101" not in line and client.email not in line
