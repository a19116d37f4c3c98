"""Documents kept with a case: PDF, JPEG and PNG by their content (not their name), within the
size limit, refused before anything is stored; kept outside the web root; handed out only to
staff who can see the case, with safe headers and one access-log row per download."""

from __future__ import annotations

import hashlib
import html
import io
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from dolbom import db
from dolbom.audit.access import AccessLog
from dolbom.documents import checks
from dolbom.documents.models import Document
from dolbom.documents.storage import Storage, TooLarge
from dolbom.identity.models import Role
from tests.fixtures import csrf_from
from tests.test_case_followup import a_case

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.fixture
def jeonju(pack_tenant):  # type: ignore[no-untyped-def]
    return pack_tenant("jeonju")


def token_for(client, slug: str, case_id: int) -> str:  # type: ignore[no-untyped-def]
    return csrf_from(client.get(f"/{slug}/cases/{case_id}?tab=documents").text)


def upload(client, slug: str, case_id: int, content: bytes, name: str, *, token: str | None,  # type: ignore[no-untyped-def]
           kind: str = "consent", note: str = "", headers: dict | None = None,  # type: ignore[type-arg]
           claimed: str = "application/pdf"):  # fmt: skip
    data: dict[str, object] = {
        "kind": kind,
        "note": note,
        "file": (io.BytesIO(content), name, claimed),
    }
    if token is not None:
        data["csrf_token"] = token
    return client.post(f"/{slug}/cases/{case_id}/documents", data=data, headers=headers or {},
                       content_type="multipart/form-data")  # fmt: skip


def documents(slug: str) -> list[Document]:
    with db.tenant_session(slug) as s:
        return list(s.scalars(sa.select(Document).order_by(Document.id)))


def stored_files(settings, slug: str) -> list[Path]:  # type: ignore[no-untyped-def]
    root = settings.instance / "documents" / slug
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def log_rows(slug: str) -> list[tuple[str, int, str, str | None]]:
    with db.tenant_session(slug) as s:
        return [tuple(r) for r in s.execute(sa.select(
            AccessLog.subject_type, AccessLog.subject_id, AccessLog.action, AccessLog.detail
        ).order_by(AccessLog.id))]  # fmt: skip


# --- the checks themselves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png"), (EXE, None), (HTML, None),
     (b"%PD", None), (b"", None), (b"GIF89a", None), (b" %PDF-1.4", None)],
)  # fmt: skip
def test_type_comes_from_the_first_bytes(head, expected):
    assert checks.sniff(head[: checks.HEAD]) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("../../etc/passwd.png", "passwd.png"), ("C:\\Users\\김\\동의서.pdf", "동의서.pdf"),
     ("a\x00b\r\nc.pdf", "abc.pdf"), ("evil\u202egnp.exe", "evilgnp.exe"), ("", "document.pdf"),
     ("...", "document.pdf"), ("  이름  있는   파일.pdf ", "이름 있는 파일.pdf")],
)  # fmt: skip
def test_display_names_carry_no_path_or_control_characters(raw, expected):
    assert checks.display_name(raw, "application/pdf") == expected


def test_long_names_are_cut_with_the_extension_kept():
    name = checks.display_name("가" * 300 + ".jpeg", "image/jpeg")
    assert len(name) == checks.MAX_NAME and name.endswith(".jpeg")


def test_sizes_read_as_kb_and_mb():
    assert checks.size_label(1) == "1 KB" and checks.size_label(2048) == "2 KB"
    assert checks.size_label(int(3.4 * 1024 * 1024)) == "3.4 MB"


def test_storage_keeps_nothing_of_a_stream_over_the_limit(tmp_path):
    store = Storage.for_tenant(tmp_path, "jeonju")
    with pytest.raises(TooLarge):
        store.save(io.BytesIO(b"x" * 1001), limit=1000)
    assert [p for p in store.root.iterdir()] == []
    stored = store.save(io.BytesIO(PDF), limit=1000)
    assert store.path(stored.key).read_bytes() == PDF
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and len(stored.key) == 32
    with pytest.raises(ValueError):
        store.path("../../secret_key")
    with pytest.raises(ValueError):
        Storage.for_tenant(tmp_path, "../other")


# --- upload --------------------------------------------------------------------------------------


def test_pdf_jpeg_and_png_are_kept_and_listed(jeonju, signed_in, settings, app):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, "application")
    token = token_for(worker, jeonju, case_id)
    assert "보관된 문서가 없습니다." in worker.get(f"/{jeonju}/cases/{case_id}?tab=documents").text
    plain = upload(worker, jeonju, case_id, PDF, "동의서.pdf", token=token, note="본인 서명")
    assert plain.status_code == 303 and plain.headers["Location"].endswith(
        "tab=documents#documents"
    )
    r = upload(worker, jeonju, case_id, JPEG, "집 사진.jpg", token=token, kind="photo", headers=HX,
               claimed="image/jpeg")  # fmt: skip
    assert r.status_code == 200 and "<html" not in r.text and 'id="documents"' in r.text
    assert "문서를 보관했습니다" in r.text
    r = upload(worker, jeonju, case_id, PNG, "scan.png", token=token, kind="other", headers=HX)
    assert r.status_code == 200
    docs = documents(jeonju)
    assert [(d.filename, d.content_type, d.kind, d.size) for d in docs] == [
        ("동의서.pdf", "application/pdf", "consent", len(PDF)),
        ("집 사진.jpg", "image/jpeg", "photo", len(JPEG)),
        ("scan.png", "image/png", "other", len(PNG)),
    ]
    assert docs[0].note == "본인 서명" and docs[1].note is None
    files = stored_files(settings, jeonju)
    assert sorted(f.name for f in files) == sorted(d.storage_key for d in docs)
    for d, content in zip(docs, (PDF, JPEG, PNG), strict=True):
        path = settings.instance / "documents" / jeonju / d.storage_key
        assert path.read_bytes() == content and d.sha256 == hashlib.sha256(content).hexdigest()
        # Outside the web root: not under the static folder, and no URL there serves it.
        assert not path.resolve().is_relative_to(Path(app.static_folder).resolve())
        assert worker.get(f"/static/{d.storage_key}").status_code == 404
    page = worker.get(f"/{jeonju}/cases/{case_id}?tab=documents", headers=HX).text
    for d in docs:
        assert f'data-testid="document-{d.id}"' in page and d.filename in page
    assert "본인 서명" in page and "사진" in page
    # One access-log row per upload ("create"), naming the document, not the file.
    created = [r for r in log_rows(jeonju) if r[2] == "create"]
    assert created == [("case", case_id, "create", f"문서 {d.id}") for d in docs]


def test_a_png_named_pdf_is_kept_as_png(jeonju, signed_in):
    c = signed_in("coordinator", jeonju)
    case_id = a_case(jeonju, "application")
    r = upload(c, jeonju, case_id, PNG, "report.pdf", token=token_for(c, jeonju, case_id),
               headers=HX, claimed="application/pdf")  # fmt: skip
    assert r.status_code == 200
    (doc,) = documents(jeonju)
    assert doc.content_type == "image/png"
    assert c.get(f"/{jeonju}/cases/{case_id}/documents/{doc.id}").mimetype == "image/png"


@pytest.mark.parametrize(
    ("content", "name"), [(EXE, "setup.pdf"), (HTML, "letter.pdf"), (b"hello", "a.png")]
)
def test_other_content_under_an_allowed_name_is_refused(jeonju, signed_in, settings, content, name):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, "application")
    r = upload(worker, jeonju, case_id, content, name, token=token_for(worker, jeonju, case_id),
               kind="photo", note="현관 사진", headers=HX)  # fmt: skip
    text = html.unescape(r.text)
    assert r.status_code == 422 and "<html" not in r.text
    assert "PDF, JPEG, PNG 파일만 올릴 수 있습니다" in text
    assert '<option value="photo" selected>' in r.text and 'value="현관 사진"' in r.text  # kept
    assert documents(jeonju) == [] and stored_files(settings, jeonju) == []


def test_a_file_over_the_limit_is_refused_before_it_is_stored(jeonju, signed_in, settings):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, "application")
    token = token_for(worker, jeonju, case_id)
    big = b"%PDF-1.7\n" + b"0" * (checks.MAX_BYTES - 8)  # one byte over
    r = upload(worker, jeonju, case_id, big, "big.pdf", token=token, note="큰 파일", headers=HX)
    assert r.status_code == 422 and "10MB까지 올릴 수 있습니다" in html.unescape(r.text)
    assert 'value="큰 파일"' in r.text
    # Over the app's request limit the body is refused before the form is even read.
    huge = b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024)
    r = upload(worker, jeonju, case_id, huge, "huge.pdf", token=token, headers=HX)
    assert r.status_code == 413 and "10MB까지 올릴 수 있습니다" in r.text
    assert r.headers["HX-Retarget"] == "#document-file-msg"
    page = upload(worker, jeonju, case_id, huge, "huge.pdf", token=token)
    assert page.status_code == 413 and "10MB까지" in page.text and 'class="app-error"' in page.text
    assert documents(jeonju) == [] and stored_files(settings, jeonju) == []


def test_empty_and_missing_files_are_refused(jeonju, signed_in, settings):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, "application")
    token = token_for(worker, jeonju, case_id)
    r = upload(worker, jeonju, case_id, b"", "empty.pdf", token=token, headers=HX)
    assert r.status_code == 422 and "빈 파일은 올릴 수 없습니다" in html.unescape(r.text)
    r = upload(worker, jeonju, case_id, b"", "", token=token, kind="", headers=HX)
    text = html.unescape(r.text)
    assert (
        r.status_code == 422 and "올릴 파일을 고르세요" in text and "문서 종류를 고르세요" in text
    )
    # Without htmx the whole case page comes back, on the documents tab, with the messages.
    r = upload(worker, jeonju, case_id, PDF, "a.pdf", token=token, kind="", note="가" * 201)
    text = html.unescape(r.text)
    assert r.status_code == 422 and "<html" in r.text and "메모는 200자까지" in text
    assert "문서 종류를 고르세요" in text
    assert documents(jeonju) == [] and stored_files(settings, jeonju) == []


def test_csrf_token_is_required(jeonju, signed_in, settings):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, "application")
    r = upload(worker, jeonju, case_id, PDF, "a.pdf", token=None)
    assert r.status_code == 400 and "보안 토큰" in r.text
    assert documents(jeonju) == [] and stored_files(settings, jeonju) == []
    # htmx sends it in the inherited header instead.
    token = token_for(worker, jeonju, case_id)
    r = upload(
        worker, jeonju, case_id, PDF, "a.pdf", token=None, headers=HX | {"X-CSRFToken": token}
    )
    assert r.status_code == 200 and len(documents(jeonju)) == 1


def test_a_hostile_file_name_is_shown_as_text(jeonju, signed_in):
    c = signed_in("coordinator", jeonju)
    case_id = a_case(jeonju, "application")
    # No "/" in it: a slash is a path separator, and everything before the last one is dropped.
    name = "<script>alert(1)<img src=x onerror=alert(2)><b hx-get=x hx-trigger=load>.png"
    r = upload(c, jeonju, case_id, PNG, name, token=token_for(c, jeonju, case_id), headers=HX)
    assert r.status_code == 200
    (doc,) = documents(jeonju)
    assert doc.filename == name
    page = c.get(f"/{jeonju}/cases/{case_id}?tab=documents").text
    for text in (r.text, page):
        assert "<script>" not in text and "<img src=x" not in text and "<b hx-get" not in text
        assert "&lt;script&gt;alert(1)&lt;img src=x onerror=alert(2)&gt;&lt;b hx-get=x" in text


# --- download and access --------------------------------------------------------------------------


def test_download_gives_the_same_bytes_with_safe_headers_and_one_log_row(jeonju, signed_in):
    worker = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, "application")
    name = "김순자 동의서 (2026).pdf"
    upload(worker, jeonju, case_id, PDF, name, token=token_for(worker, jeonju, case_id), headers=HX)
    (doc,) = documents(jeonju)
    before = len(log_rows(jeonju))
    r = worker.get(f"/{jeonju}/cases/{case_id}/documents/{doc.id}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert f'filename="document-{doc.id}.pdf"' in disposition
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r.headers["Cache-Control"]
    new = log_rows(jeonju)[before:]
    assert new == [("case", case_id, "download", f"문서 {doc.id}")]
    assert "김순자" not in str(new)
    # A coordinator and a city administrator see every dong's cases.
    for role in ("coordinator", "city_admin"):
        assert (
            signed_in(role, jeonju).get(f"/{jeonju}/cases/{case_id}/documents/{doc.id}").data == PDF
        )


def test_staff_of_another_dong_get_404_on_both_routes(jeonju, signed_in, settings):
    owner = signed_in("frontline_worker", jeonju, dongs=["pyeonghwa1"])
    case_id = a_case(jeonju, "application")
    token = token_for(owner, jeonju, case_id)
    upload(owner, jeonju, case_id, PDF, "a.pdf", token=token, headers=HX)
    (doc,) = documents(jeonju)
    other = signed_in("frontline_worker", jeonju, dongs=["somewhere-else"])
    other_token = csrf_from(other.get(f"/{jeonju}/cases/").text)
    before = len(log_rows(jeonju))
    assert other.get(f"/{jeonju}/cases/{case_id}/documents/{doc.id}").status_code == 404
    r = upload(other, jeonju, case_id, PNG, "b.png", token=other_token, headers=HX)
    assert r.status_code == 404
    assert len(documents(jeonju)) == 1 and len(stored_files(settings, jeonju)) == 1
    assert len(log_rows(jeonju)) == before


def test_a_document_is_found_only_under_its_own_case(jeonju, signed_in):
    c = signed_in("coordinator", jeonju)
    case_a, case_b = a_case(jeonju, "application"), a_case(jeonju, "application")
    upload(c, jeonju, case_a, PDF, "a.pdf", token=token_for(c, jeonju, case_a), headers=HX)
    (doc,) = documents(jeonju)
    assert c.get(f"/{jeonju}/cases/{case_b}/documents/{doc.id}").status_code == 404
    assert c.get(f"/{jeonju}/cases/{case_a}/documents/{doc.id + 1}").status_code == 404
    assert c.get(f"/{jeonju}/cases/{case_a}/documents/{doc.id}").status_code == 200


def test_other_roles_are_refused(jeonju, signed_in, settings):
    c = signed_in("coordinator", jeonju)
    case_id = a_case(jeonju, "application")
    upload(c, jeonju, case_id, PDF, "a.pdf", token=token_for(c, jeonju, case_id), headers=HX)
    (doc,) = documents(jeonju)
    url = f"/{jeonju}/cases/{case_id}/documents/{doc.id}"
    provider = signed_in("provider_staff", jeonju)
    ministry = signed_in(platform_role=Role.MINISTRY_ANALYST)
    for client in (provider, ministry):
        refused = client.get(url)
        assert refused.status_code == 403
        token = csrf_from(refused.text)  # the error page carries the session's token
        assert upload(client, jeonju, case_id, PNG, "b.png", token=token).status_code == 403
    # A city administrator may read the documents but not add any; the form is not offered.
    admin = signed_in("city_admin", jeonju)
    page = admin.get(f"/{jeonju}/cases/{case_id}?tab=documents").text
    assert 'data-testid="document-form"' not in page and f'data-testid="download-{doc.id}"' in page
    assert upload(admin, jeonju, case_id, PNG, "b.png", token=csrf_from(page)).status_code == 403
    assert len(documents(jeonju)) == 1 and len(stored_files(settings, jeonju)) == 1
