"""The public "verify a credential" page: anyone uploads a credential (JSON) or a badge image with one
baked in and is told whether it verifies (``badges.verification.checks``); and the same check as a
JSON API for other systems (an employer's applicant tracking, a wallet). Nothing uploaded is stored."""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from core import throttle

from ..issuing import documents, signing
from .checks import verify_upload
from .forms import FIELD, VerifyForm


class FirstFileAtMost(FileUploadHandler):
    """Keeps at most ``limit + 1`` bytes of the one file the form asks for, in memory, and drops the
    rest as it arrives: a public form must not spool whatever a stranger sends to disk. The file's
    ``size`` is still the size that arrived, so that the page can say it was too large."""

    def __init__(self, request, limit):
        super().__init__(request)
        self.limit = limit
        self.kept = None

    def new_file(self, field_name, *args, **kwargs):
        if field_name != FIELD or self.kept is not None:
            raise SkipFile
        super().new_file(field_name, *args, **kwargs)
        self.kept = bytearray()

    def receive_data_chunk(self, raw_data, start):
        room = self.limit + 1 - len(self.kept)
        if room > 0:
            self.kept += raw_data[:room]

    def file_complete(self, file_size):
        return InMemoryUploadedFile(
            io.BytesIO(bytes(self.kept)),
            self.field_name,
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )


@csrf_exempt  # only so that the upload handler is in place before the CSRF check reads the body
@require_http_methods(["GET", "POST"])
def verify(request):
    if request.method == "POST":
        # Counted before anything reads the upload: every upload costs work, whatever it holds.
        wait = throttle.seconds_to_wait(
            request, "verify", limit=settings.VERIFY_UPLOADS_PER_MINUTE, seconds=60
        )
        if wait:
            return _too_many(request, wait)
        request.upload_handlers = [FirstFileAtMost(request, settings.VERIFY_UPLOAD_MAX_BYTES)]
    return _verify(request)


@csrf_protect
def _verify(request):
    """GET: the form. POST: the form again, with the verdict on the uploaded file, or a message
    beside the field when no credential could be read from it."""
    form, result = VerifyForm(), None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data[FIELD]
            data = upload.read(settings.VERIFY_UPLOAD_MAX_BYTES + 1)
            result = verify_upload(data, filename=upload.name or "", content_type=upload.content_type or "")
            if result.problem:
                form.add_error(FIELD, result.problem)
                result = None
    return _page(request, form=form, result=result)


def _too_many(request, wait):
    """429: the page, saying how long to wait; the upload is not read."""
    response = _page(request, form=VerifyForm(), wait=wait, status=429)
    response["Retry-After"] = str(wait)
    return response


def _page(request, *, form, result=None, wait=0, status=200):
    return render(
        request,
        "badges/verify.html",
        {
            "form": form,
            "result": result,
            "wait": wait,
            "per_minute": settings.VERIFY_UPLOADS_PER_MINUTE,
            "max_size": filesizeformat(settings.VERIFY_UPLOAD_MAX_BYTES),
            "institution": documents.institution_name(),
            "cryptosuite": signing.CRYPTOSUITE,
        },
        status=status,
    )


@csrf_exempt  # a public API without cookies or sessions: nothing a forged request could abuse
@require_http_methods(["POST"])
def verify_api(request):
    """POST the credential itself as the request body (JSON, a VC-JWT, or a baked PNG or SVG; the
    Content-Type says which, or it is told from the bytes): the verdict as JSON. 400 when no
    credential can be read from the body, 413 when it is too large, 429 over the rate limit (with
    ``Retry-After``), the same limit and work budget as the page."""
    wait = throttle.seconds_to_wait(request, "verify", limit=settings.VERIFY_UPLOADS_PER_MINUTE, seconds=60)
    if wait:
        response = JsonResponse(
            {"error": f"Too many checks from your address: retry in {wait} s."}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    limit = settings.VERIFY_UPLOAD_MAX_BYTES
    data = request.read(limit + 1)  # the stream, never the whole body in memory
    if len(data) > limit:
        return JsonResponse({"error": f"The body is larger than {filesizeformat(limit)}."}, status=413)
    result = verify_upload(data, content_type=request.content_type or "")
    if result.notice:
        return JsonResponse({"verified": False, "notice": result.notice})
    if result.problem:
        return JsonResponse({"error": result.problem}, status=400)
    return JsonResponse(_verdict(result))


def _verdict(result):
    """The page's verdict as data: the same words, for a machine to pass on to a person."""
    return {
        "verified": result.verified,
        "status": result.status,
        "reasons": result.reasons,
        "checks": [{"state": line.state, "text": line.text} for line in result.checklist],
        "issued_by_this_institution": result.ours and not result.impostor,
        "impostor": result.impostor,
        "issuer": {"id": result.issuer_id, "name": result.issuer_name},
        "recipient_name": result.recipient_name,
        "achievement_name": result.achievement_name,
        "valid_from": result.issued_on.isoformat() if result.issued_on else None,
        "valid_until": result.valid_until.isoformat() if result.valid_until else None,
        "secured_with": result.secured_with,
        "award_url": documents.absolute(result.award.get_absolute_url()) if result.award else None,
    }
