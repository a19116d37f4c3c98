"""Bad input: a clear Korean message beside the field, 422 with the fragment, what was typed
still there, and nothing half-saved."""

from __future__ import annotations

import sqlalchemy as sa
from squad_testkit import (
    BASE,
    JPEG,
    PNG,
    lock_of,
    make_volunteer,
    new_order,
    order_id_of,
    photo,
    post,
    squad_tenant,
)

from dolbom import db
from dolbom.clock import today
from dolbom_squad.models import Assignment, Photo, WorkOrder
from dolbom_squad.photos import MAX_BYTES


def _assigned_order(client, slug: str, kind: str = "safety") -> tuple[int, int]:  # type: ignore[no-untyped-def]
    vid = make_volunteer(slug, "pyeonghwa1", "배정됨")
    oid = order_id_of(
        new_order(client, slug, kind=kind, address="예시로 1", dong_code="pyeonghwa1")
    )
    r = post(client, f"{BASE.format(slug=slug)}/orders/{oid}/assign",
             {"volunteers": [str(vid)], "lock_version": lock_of(slug, oid)})  # fmt: skip
    assert r.status_code == 204
    return oid, vid


def test_volunteer_of_another_dong_or_inactive_is_refused(pack_tenant, signed_in):
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    client = signed_in("coordinator", slug)
    here = make_volunteer(slug, "pyeonghwa1", "평화일")
    there = make_volunteer(slug, "pyeonghwa2", "평화이")
    resting = make_volunteer(slug, "pyeonghwa1", "쉬는중", active=False)
    oid = order_id_of(new_order(client, slug, address="예시로 2", dong_code="pyeonghwa1"))
    lock = lock_of(slug, oid)

    r = post(client, f"{base}/orders/{oid}/assign", {"volunteers": [str(here), str(there)],
             "lock_version": lock, "pick_dong": "pyeonghwa2"})  # fmt: skip
    assert r.status_code == 422
    assert "평화이 봉사자는 평화2동 소속이라 평화1동 작업에 배정할 수 없습니다" in r.text
    assert 'id="sq-volunteers-msg"' in r.text and "<html" not in r.text  # beside the field
    assert f'value="{there}" checked' in r.text  # the choice is kept (the picker shows 평화2동)

    r = post(client, f"{base}/orders/{oid}/assign", {"volunteers": [str(resting)],
             "lock_version": lock})  # fmt: skip
    assert r.status_code == 422 and "쉬는중 봉사자는 지금 활동하지 않습니다" in r.text
    r = post(client, f"{base}/orders/{oid}/assign", {"lock_version": lock})
    assert r.status_code == 422 and "한 명 이상 고르세요" in r.text
    r = post(
        client, f"{base}/orders/{oid}/assign", {"volunteers": ["999999"], "lock_version": lock}
    )
    assert r.status_code == 422 and "찾을 수 없습니다" in r.text
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
        assert s.get(WorkOrder, oid).status == "received"

    # Without htmx the whole page comes back, with the message in the same place.
    page = post(client, f"{base}/orders/{oid}/assign", {"volunteers": [str(there)],
                "lock_version": lock}, htmx=False)  # fmt: skip
    assert page.status_code == 422 and "<html" in page.text and "평화2동 소속이라" in page.text


def test_photos_must_be_small_jpeg_or_png(pack_tenant, signed_in):
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    client = signed_in("coordinator", slug)
    oid, _vid = _assigned_order(client, slug, kind="repair")
    fields = {"completed_on": today().isoformat(), "completion_notes": "문고리 교체"}

    def complete(*files):  # type: ignore[no-untyped-def]
        return post(client, f"{base}/orders/{oid}/complete",
                    fields | {"lock_version": lock_of(slug, oid), "photos": list(files)},
                    content_type="multipart/form-data")  # fmt: skip

    html = complete(photo(PNG, "좋은.png"), photo(b"<html><script>x</script>", "사진.jpg"))
    assert html.status_code == 422 and "JPEG나 PNG 사진만 올릴 수 있습니다: 사진.jpg" in html.text
    assert "문고리 교체" in html.text  # the notes are kept
    pdf = complete(photo(b"%PDF-1.7 ...", "영수증.pdf"))
    assert pdf.status_code == 422 and "JPEG나 PNG" in pdf.text
    big = complete(photo(JPEG[:4] + b"\x00" * MAX_BYTES, "큰사진.jpg"))
    assert big.status_code == 422 and "4MB까지" in big.text
    empty = complete(photo(b"", "빈.png"))
    assert empty.status_code == 422 and "빈 파일입니다" in empty.text
    with db.tenant_session(slug) as s:
        assert s.get(WorkOrder, oid).status == "assigned"  # nothing half-kept
        assert s.scalar(sa.select(sa.func.count()).select_from(Photo)) == 0
    ok = complete(photo(JPEG, "현관.jpg"), photo(PNG, "부엌.png"))
    assert ok.status_code == 204, ok.text
    with db.tenant_session(slug) as s:
        kinds = s.scalars(sa.select(Photo.content_type).order_by(Photo.id)).all()
    assert kinds == ["image/jpeg", "image/png"]


def test_safety_check_needs_every_answer(pack_tenant, signed_in):
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    client = signed_in("coordinator", slug)
    oid, _vid = _assigned_order(client, slug)
    r = post(client, f"{base}/orders/{oid}/complete", {
        "completed_on": today().isoformat(), "completion_notes": "점검함", "check_electric": "ok",
        "check_gas": "bogus", "lock_version": lock_of(slug, oid),
    })  # fmt: skip
    assert r.status_code == 422
    assert "가스 (누출·호스): 양호·조치 필요·해당 없음 중에서 고르세요" in r.text
    assert "소화기·감지기: 양호·조치 필요·해당 없음 중에서 고르세요" in r.text
    assert 'id="sc-check_electric-ok" value="ok" checked' in r.text  # the answer given is kept
    with db.tenant_session(slug) as s:
        assert s.get(WorkOrder, oid).status == "assigned"


def test_bad_dates_and_missing_fields(pack_tenant, signed_in):
    slug = squad_tenant(pack_tenant)
    base = BASE.format(slug=slug)
    client = signed_in("coordinator", slug)
    r = new_order(client, slug, kind="", address="", description="", requested_on="2099-01-01")
    assert r.status_code == 422
    for message in ("작업 종류를 고르세요", "찾아갈 주소를 적으세요", "요청 내용을 적으세요",
                    "오늘(", "작업할 동을 고르세요"):  # fmt: skip
        assert message in r.text, message
    r = new_order(client, slug, address="예시로 4", dong_code="seosin", requested_on="2026-10-10",
                  due_on="2026-10-01")  # fmt: skip
    assert r.status_code == 422 and "요청일(2026-10-10)보다 앞설 수 없습니다" in r.text
    assert 'value="2026-10-01"' in r.text and "예시로 4" in r.text
    r = new_order(client, slug, address="예시로 4", dong_code="seosin", requested_on="2026-13-45")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text
    r = new_order(client, slug, case_number="사례번호", dong_code="seosin")
    assert r.status_code == 422 and "사례 번호를 숫자로" in r.text
    with db.tenant_session(slug) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(WorkOrder)) == 0

    oid, _vid = _assigned_order(client, slug, kind="cleanup")
    r = post(client, f"{base}/orders/{oid}/complete", {"completed_on": "2000-01-01",
             "completion_notes": "", "lock_version": lock_of(slug, oid)})  # fmt: skip
    assert (
        r.status_code == 422
        and "보다 앞설 수 없습니다" in r.text
        and "작업 내용을 적으세요" in r.text
    )

    r = post(client, f"{base}/volunteers/new", {"name": "", "phone": "12", "skills": ["flying"],
             "dong_code": "seosin", "joined_on": "2099-01-01"})  # fmt: skip
    assert r.status_code == 422
    for message in ("이름을 적으세요", "전화번호 형식이 아닙니다", "활동을 하나 이상", "오늘("):
        assert message in r.text, message

    bad_month = client.get(f"{base}/summary/?month=2026-13")
    assert bad_month.status_code == 422 and "YYYY-MM" in bad_month.text
    assert client.get(f"{base}/?month=oops").status_code == 422
    assert client.get(f"{base}/summary/2026-13.csv").status_code == 404
