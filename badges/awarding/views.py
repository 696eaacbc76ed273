"""Pages for the people who award: a whole class from a spreadsheet (evaluators of the unit, or the
office where the profile awards centrally), and for the office's staff the awards that need a
decision and changing when an achievement's awards expire."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from core.files import private_file
from core.ids import query_text
from core.paging import KeysFirstPaginator
from core.people import full_name
from core.spreadsheets import csv_text
from proposals.policy import active_profile

from .. import people, permissions
from .. import selectors as badge_selectors
from ..integrations import credly
from ..issuing.forms import RevokeForm
from ..learning.selectors import catalog
from ..models import Achievement, BulkAward, ExpiryChange
from . import bulk, expiry, spreadsheet, stacking
from .forms import BulkUploadForm, ExpiryForm


def _form_errors(form, invalid):
    """Put a service's ValidationError beside the fields it names, or on the form."""
    if hasattr(invalid, "error_dict"):
        for field, errors in invalid.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in invalid.messages:
            form.add_error(None, message)


@login_required
def awarding(request):
    """Upload a class's spreadsheet; the recent uploads; for the office, what needs a decision."""
    achievements = bulk.awardable(request.user)
    office = permissions.may_change_expiry(request.user)
    if not achievements and not office:
        raise PermissionDenied("Only evaluators and the awarding office award micro-credentials.")
    form = BulkUploadForm(achievements=achievements)
    if request.method == "POST":
        form = BulkUploadForm(request.POST, request.FILES, achievements=achievements)
        if form.is_valid():
            try:
                made = bulk.upload(
                    user=request.user,
                    achievement=form.cleaned_data["achievement"],
                    uploaded=form.cleaned_data["file"],
                )
            except ValidationError as invalid:
                _form_errors(form, invalid)
            else:
                return redirect(made)
    uploads = (
        BulkAward.objects.filter(achievement__in=[a.pk for a in achievements])
        .select_related("achievement", "uploaded_by", "confirmed_by")
        .defer("rows")[:20]
        if achievements
        else []
    )
    context = {"form": form, "uploads": uploads, "office": office, "achievements": achievements}
    if office:
        # Only where the profile has micro-certificates (Binghamton's policy leaves stacking open).
        context["stacking"] = not active_profile().enforces("badge_only")
        context["lapsed"] = stacking.certificates_no_longer_held() if context["stacking"] else []
        context["expirable"] = catalog()
        context["expiry_changes"] = ExpiryChange.objects.select_related("achievement", "changed_by")[:10]
        context["credly_failures"] = list(credly.failures()[:50])
    return render(request, "badges/awarding.html", context)


def template_csv(request):
    response = HttpResponse(spreadsheet.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="award-learners-template.csv"'
    return response


def _bulk(request, pk):
    found = get_object_or_404(
        BulkAward.objects.select_related("achievement__proposal", "uploaded_by", "confirmed_by"), pk=pk
    )
    if not permissions.may_see_upload(request.user, found):
        raise Http404("No such upload.")
    return found


@login_required
def bulk_detail(request, pk):
    """The preview of an upload (each row's outcome), then its progress and results."""
    found = _bulk(request, pk)
    rows = found.rows
    return render(
        request,
        "badges/bulk.html",
        {
            "bulk": found,
            "rows": rows,
            "summary": bulk.summary(rows),
            "labels": bulk.Outcome.LABELS,
            "to_award": len(bulk.awardable_rows(rows)),
            "earlier": list(bulk.earlier_uploads(found)),
            "percent": int(100 * found.processed / len(rows)) if rows else 100,
        },
    )


def _act_on_upload(request, pk, action, done):
    """Run ``action`` (confirm or cancel) on an upload and say how it went; the upload is returned."""
    found = _bulk(request, pk)
    try:
        action(bulk=found, user=request.user)
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return found


@login_required
@require_POST
def bulk_confirm(request, pk):
    done = "Confirmed: the learners are being awarded. This page shows the progress."
    return redirect(_act_on_upload(request, pk, bulk.confirm, done))


@login_required
@require_POST
def bulk_cancel(request, pk):
    _act_on_upload(request, pk, bulk.cancel, "Cancelled: nobody was awarded from this file.")
    return redirect("badges:awarding")


@login_required
def bulk_file(request, pk):
    found = _bulk(request, pk)
    return private_file(found.file, found.original_name, "text/csv")


@login_required
def expiry_change(request, uuid):
    """Preview, then confirm, a new expiry for every issued award of one achievement."""
    if not permissions.may_change_expiry(request.user):
        raise PermissionDenied("Only the awarding office's staff change when awards expire.")
    achievement = get_object_or_404(Achievement.objects.select_related("proposal"), uuid=uuid)
    form = ExpiryForm(request.POST or None)
    affected = expiry.affected(achievement, request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["valid_until"]
        valid_until = expiry.end_of_day(day) if day else None
        if request.POST.get("confirm") == "yes":
            try:
                made = expiry.change(
                    achievement=achievement,
                    user=request.user,
                    valid_until=valid_until,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as invalid:
                _form_errors(form, invalid)
            else:
                messages.success(
                    request, f"Re-issuing {len(made.award_ids)} credentials with the new expiry."
                )
                return redirect("badges:expiry_status", pk=made.pk)
        else:
            preview = {"valid_until": valid_until, "count": affected.count(), "sample": list(affected[:25])}
    return render(
        request,
        "badges/expiry.html",
        {"achievement": achievement, "form": form, "preview": preview, "count": affected.count()},
    )


@login_required
def expiry_status(request, pk):
    if not permissions.may_change_expiry(request.user):
        raise PermissionDenied("Only the awarding office's staff change when awards expire.")
    found = get_object_or_404(ExpiryChange.objects.select_related("achievement", "changed_by"), pk=pk)
    total = len(found.award_ids)
    return render(
        request,
        "badges/expiry_status.html",
        {"change": found, "total": total, "percent": int(100 * found.processed / total) if total else 100},
    )


def _day(text):
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None


@login_required
def holders(request, uuid):
    """Who holds a micro-credential: search by name or email, filter by state and date, a page at a
    time or the whole list as CSV; revoke on each row for those who may."""
    achievement = get_object_or_404(Achievement.objects.select_related("proposal"), uuid=uuid)
    if not permissions.may_see_holders(request.user, achievement):
        raise PermissionDenied("The holders of a micro-credential are for the office and its evaluators.")
    params = {name: query_text(request.GET.get(name)) for name in ("q", "state", "since", "until")}
    since, until = _day(params["since"]), _day(params["until"])
    awards = badge_selectors.holders(
        achievement, q=params["q"], state=params["state"], since=since, until=until
    )
    if request.GET.get("format") == "csv":
        return _holders_csv(achievement, awards)
    page = KeysFirstPaginator(awards, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "badges/holders.html",
        {
            "achievement": achievement,
            "page": page,
            "params": params,
            "query_string": query.urlencode(),
            "states": badge_selectors.HOLDER_STATES,
            "may_revoke": permissions.is_awarding_office(request.user),
            "revoke_form": RevokeForm(),
        },
    )


def _holders_csv(achievement, awards):
    rows = (
        (
            people.learner_name(a.learner),
            full_name(a.learner),
            a.learner.email,
            a.get_state_display(),
            a.created_at.date().isoformat(),
            a.valid_until.date().isoformat() if a.valid_until else "",
            a.revoked_reason,
            a.achievement.version,
        )
        for a in awards.iterator(chunk_size=500)
    )
    header = (
        "Name on credentials",
        "Given and family names",
        "Email",
        "State",
        "Awarded",
        "Valid until",
        "Reason revoked",
        "Version",
    )
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    name = achievement.proposal.code or "micro-credential"
    response["Content-Disposition"] = f'attachment; filename="holders-{slugify(name)}.csv"'
    return response
