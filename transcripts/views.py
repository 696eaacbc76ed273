"""The registrar's pages: the queue, a record, terms and batches. Registrar staff and administrators
only; everyone else gets 403."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.ids import parse_id, query_text
from core.once import creates
from core.paging import KeysFirstPaginator

from . import selectors, services
from .forms import CorrectForm, PostForm, RejectForm, TermForm
from .models import Batch, Term, TranscriptRecord
from .permissions import is_registrar


def registrar_only(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_registrar(request.user):
            raise PermissionDenied("The transcript queue is for registrar staff.")
        return view(request, *args, **kwargs)

    return wrapper


FILTERS = ("state", "term", "unit", "credential", "level", "q", "sort")


@registrar_only
def queue(request):
    params = {name: query_text(request.GET.get(name)) for name in FILTERS}
    params["sort"] = params["sort"] if params["sort"] in selectors.SORTS else "oldest"
    if params["state"] not in dict(TranscriptRecord.State.choices):
        params["state"] = ""
    if parse_id(params["unit"]) is None:
        params["unit"] = ""
    counts = selectors.counts()
    paginator = KeysFirstPaginator(selectors.queue(**params), 50)
    filtered = [name for name in FILTERS if name != "sort" and params[name]]
    if filtered in ([], ["state"]):
        # The whole queue, or one state of it: its size is already in the counts per state, so
        # the 100,000 records are not counted a second time.
        paginator.count = sum(n for value, _label, n in counts if params["state"] in ("", value))
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "transcripts/queue.html",
        {
            "page": page,
            "params": params,
            "query_string": query.urlencode(),
            "counts": counts,
            "terms": Term.objects.all(),
            "choices": selectors.filter_choices(),
            "states": TranscriptRecord.State.choices,
            "sorts": selectors.SORT_LABELS,
            # Only records before the SIS can be verified or rejected: only they have a checkbox.
            "selectable": TranscriptRecord.BEFORE_SIS,
        },
    )


@registrar_only
@require_POST
def bulk(request):
    ids = [pk for pk in map(parse_id, request.POST.getlist("records")) if pk]
    records = list(TranscriptRecord.objects.filter(pk__in=ids))
    action = request.POST.get("action")
    back = request.POST.get("next", "")
    try:
        if not records:
            raise ValidationError("Select at least one record.")
        if action == "verify":
            changed = services.verify(records=records, user=request.user)
            messages.success(request, f"{changed} record{'s' if changed != 1 else ''} verified.")
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError([f"Reason to reject: {error}" for error in form.errors["reason"]])
            changed = services.reject(records=records, user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"{changed} record{'s' if changed != 1 else ''} rejected.")
        else:
            raise ValidationError("Choose verify or reject.")
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
    from django.urls import reverse

    return redirect(f"{reverse('transcripts:queue')}?{back}" if back else reverse("transcripts:queue"))


@registrar_only
def record(request, pk):
    found = get_object_or_404(TranscriptRecord.objects.select_related("term", "batch", "award"), pk=pk)
    form = CorrectForm(request.POST or None, initial={"student_id": found.student_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.correct(
                record=found,
                user=request.user,
                reason=form.cleaned_data["reason"],
                student_id=form.cleaned_data["student_id"].strip(),
            )
        except ValidationError as invalid:
            for message in invalid.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Corrected; the reason is kept in the record's history.")
            return redirect("transcripts:record", pk=found.pk)
    return render(
        request,
        "transcripts/record.html",
        {"record": found, "events": found.events.select_related("actor"), "form": form},
    )


@creates
@registrar_only
def terms(request, pk=None):
    """The academic calendar: add a term, or change one (``pk``)."""
    term = get_object_or_404(Term, pk=pk) if pk else None
    form = TermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            "Term saved in the academic calendar." if term else "Term added to the academic calendar.",
        )
        return redirect("transcripts:terms")
    return render(
        request, "transcripts/terms.html", {"terms": Term.objects.all(), "form": form, "editing": term}
    )


@registrar_only
def batches(request):
    return render(
        request,
        "transcripts/batches.html",
        {"batches": selectors.batches(), "terms": Term.objects.all()},
    )


@creates
@registrar_only
@require_POST
def batch_create(request):
    term = get_object_or_404(Term, pk=parse_id(request.POST.get("term")) or 0)
    try:
        batch = services.create_batch(term=term, user=request.user)
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
        return redirect("transcripts:batches")
    messages.success(request, f"Batch {batch.pk} made with {batch.records.count()} records.")
    left_out = services.left_out_of_batches(term)
    if left_out:
        names = ", ".join(record.learner_name for record in left_out[:10])
        more = f" and {len(left_out) - 10} more" if len(left_out) > 10 else ""
        messages.warning(
            request,
            f"Left out, for want of a student ID: {names}{more}. Enter the ID on each record; "
            "they go into the next batch.",
        )
    return redirect("transcripts:batch", pk=batch.pk)


@registrar_only
def batch(request, pk):
    found = get_object_or_404(Batch.objects.select_related("term", "created_by", "posted_by"), pk=pk)
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_batch(batch=found, user=request.user, **form.cleaned_data)
        except ValidationError as invalid:
            for message in invalid.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Batch marked posted: its records are posted.")
            return redirect("transcripts:batch", pk=found.pk)
    return render(
        request,
        "transcripts/batch.html",
        {
            "batch": found,
            "records": found.records.select_related("term").order_by("family_name", "given_name", "id"),
            "form": form,
        },
    )


@registrar_only
def batch_file(request, pk, kind):
    if kind not in ("csv", "json"):
        raise Http404("No such file")
    found = get_object_or_404(Batch, pk=pk)
    if kind == "csv":
        response = HttpResponse(found.csv.encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(found.json.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="batch-{found.pk}-{found.term.code}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response
