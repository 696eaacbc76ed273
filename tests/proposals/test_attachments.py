"""Attachments: checked by content and size, stored privately, downloaded only by readers."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Attachment
from tests.factories import complete_proposal, faculty, unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def draft():
    return complete_proposal()


def upload(client, proposal, name, content, purpose="supporting"):
    return client.post(
        reverse("proposals:upload", args=[proposal.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf"), "purpose": purpose},
    )


def test_good_pdf_is_stored_privately_and_downloads_with_the_right_headers(client, draft, settings):
    client.force_login(draft.lead_author)
    response = upload(client, draft, "Employer letter (ACME).pdf", PDF, "employer_evidence")
    assert response.status_code == 302
    attachment = draft.attachments.get()
    assert attachment.original_name == "Employer_letter_ACME.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    # Stored under MEDIA_ROOT with a random name, never under the static tree.
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "Employer" not in attachment.file.name

    download = client.get(reverse("proposals:download", args=[draft.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Employer_letter_ACME.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PDF


def test_renamed_executable_is_refused(client, draft):
    client.force_login(draft.lead_author)
    response = upload(client, draft, "syllabus.pdf", EXE)
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a file type we accept (its content is application/x-msdownload)" in html
    assert "PDF, Word (DOCX), Excel (XLSX), PNG image, JPEG image" in html
    assert not Attachment.objects.exists()


def test_text_file_named_pdf_is_refused(client, draft):
    client.force_login(draft.lead_author)
    response = upload(client, draft, "notes.pdf", b"just some text, not a PDF at all")
    assert response.status_code == 400
    assert "is not a file type we accept." in response.content.decode()


def test_oversized_file_is_refused(client, draft, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    client.force_login(draft.lead_author)
    response = upload(client, draft, "big.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "files may be at most" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "stored"),
    [
        ("chart.png", PNG, "chart.png"),
        ("plan", docx_bytes(), "plan.docx"),
        ("../../etc/passwd.docx", docx_bytes(), "passwd.docx"),
        ("photo.exe", PNG, "photo.png"),
    ],
)
def test_names_are_sanitised_and_match_the_content(client, draft, name, content, stored):
    client.force_login(draft.lead_author)
    assert upload(client, draft, name, content).status_code == 302
    assert draft.attachments.get().original_name == stored


def test_other_faculty_cannot_download_or_upload(client, draft):
    client.force_login(draft.lead_author)
    upload(client, draft, "a.pdf", PDF)
    attachment = draft.attachments.get()
    client.force_login(faculty("stranger", unit("elsewhere")))
    assert client.get(reverse("proposals:download", args=[draft.pk, attachment.pk])).status_code == 404
    assert upload(client, draft, "b.pdf", PDF).status_code == 404
    assert (
        client.post(reverse("proposals:delete_attachment", args=[draft.pk, attachment.pk])).status_code == 404
    )


def test_attachment_of_another_proposal_is_not_reachable_through_mine(client, draft):
    other = complete_proposal(title="Other")
    client.force_login(other.lead_author)
    upload(client, other, "theirs.pdf", PDF)
    theirs = other.attachments.get()
    client.force_login(draft.lead_author)
    assert client.get(reverse("proposals:download", args=[draft.pk, theirs.pk])).status_code == 404


def test_author_removes_an_attachment_and_its_file(client, draft, django_capture_on_commit_callbacks):
    client.force_login(draft.lead_author)
    upload(client, draft, "a.pdf", PDF)
    attachment = draft.attachments.get()
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("proposals:delete_attachment", args=[draft.pk, attachment.pk]))
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


def test_an_archive_bomb_disguised_as_a_word_document_is_refused(db):
    import io
    import zipfile

    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from proposals.services import check_upload

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (60 * 1_048_576))
    bomb = SimpleUploadedFile("report.docx", buffer.getvalue())
    assert bomb.size < 1_048_576
    with pytest.raises(ValidationError, match="archive bomb"):
        check_upload(bomb)
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + "text " * 200 + "</w:document>")
    content_type, name = check_upload(SimpleUploadedFile("ok.docx", small.getvalue()))
    assert name == "ok.docx" and content_type.endswith("wordprocessingml.document")


def test_an_oversized_request_is_refused_before_its_body_is_read(settings):
    """The declared length alone decides: the body is never read (not even by the CSRF check,
    which reads a form's token), nothing is parsed or saved."""
    from django.test import Client

    settings.MAX_REQUEST_BYTES = 2048
    client = Client(enforce_csrf_checks=True)

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    response = client.generic(
        "POST",
        "/proposals/new/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH="999999999",
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert "too large to send" in response.content.decode()
    assert response["Connection"] == "close"
    # Within the limit, the same address answers as usual (here: the CSRF check refuses it).
    assert client.post("/proposals/new/", {"x": "y"}).status_code == 403
