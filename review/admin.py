from django.contrib import admin, messages

from core.admin import ReadOnlyRecordAdmin, WorkflowRecordedFieldsAdmin

from .membership_log import acting
from .models import (
    AgendaItem,
    AuditEvent,
    Ballot,
    BallotVoter,
    Digest,
    InternalNote,
    Meeting,
    Membership,
    MembershipChange,
    Notification,
    NotificationPreference,
    ReviewBody,
    Vote,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "is_active"]


class RecordsWhoChangesMemberships:
    """Membership changes made through this admin are recorded with the admin who made them."""

    def save_model(self, request, obj, form, change):
        with acting(request.user):
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        with acting(request.user):
            super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        with acting(request.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with acting(request.user):
            for obj in queryset:  # one by one, so each removal is recorded
                obj.delete()


@admin.register(ReviewBody)
class ReviewBodyAdmin(RecordsWhoChangesMemberships, admin.ModelAdmin):
    list_display = ["name", "kind", "profile", "unit", "quorum", "member_count", "is_active"]
    list_filter = ["kind", "profile", "is_active"]
    search_fields = ["name", "slug", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .annotate(_members=Count("memberships", filter=Q(memberships__is_active=True)))
        )

    @admin.display(description="active members", ordering="_members")
    def member_count(self, obj):
        return obj._members


@admin.register(MembershipChange)
class MembershipChangeAdmin(ReadOnlyRecordAdmin):
    """Read-only: who joined, left or changed role in which body, when and by whose hand."""

    list_display = [
        "changed_at",
        "body_name",
        "person_name",
        "action",
        "role_before",
        "role_after",
        "changed_by",
    ]
    list_filter = ["action", "body"]
    search_fields = ["body_name", "person_name", "changed_by__username"]
    list_select_related = ["changed_by"]
    date_hierarchy = "changed_at"


@admin.register(Membership)
class MembershipAdmin(RecordsWhoChangesMemberships, admin.ModelAdmin):
    list_display = ["user", "body", "role", "is_active", "since"]
    list_filter = ["role", "is_active", "body__kind", "body"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "body__name"]
    list_select_related = ["user", "body"]
    autocomplete_fields = ["user", "body"]


class DeliveryFilter(admin.SimpleListFilter):
    """Sent, held for the person's digest, waiting for its first try, or failed (tried, retries
    spent or under way, with its error)."""

    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("sent", "Sent"), ("held", "Held for a digest"), ("waiting", "Waiting"), ("failed", "Failed")]

    def queryset(self, request, queryset):
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "held":
            return queryset.filter(sent_at__isnull=True, for_digest=True)
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True, attempts=0, for_digest=False)
        if self.value() == "failed":
            return queryset.filter(sent_at__isnull=True, attempts__gt=0)
        return queryset


def _queue_again(model_admin, request, task, pks, what):
    """Queue ``task`` for each of ``pks`` and say how many went, and how many the broker refused."""
    from core.queue import enqueue

    queued = sum(enqueue(task, pk) for pk in pks)
    model_admin.message_user(request, f"{queued} {what}(s) queued for sending.")
    if queued < len(pks):
        model_admin.message_user(
            request,
            f"{len(pks) - queued} could not be queued: the task queue is unreachable. Try again later.",
            level=messages.WARNING,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """How each person gets their emails; someone with no row gets each email at once."""

    list_display = ["user", "delivery", "chosen_at"]
    list_filter = ["delivery"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["chosen_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "chosen_at"] if obj else ["chosen_at"]

    def save_model(self, request, obj, form, change):
        # Through the service, so that going back to immediate emails releases what a digest held.
        from .services import set_delivery

        saved = set_delivery(user=obj.user, delivery=obj.delivery)
        obj.pk, obj.chosen_at = saved.pk, saved.chosen_at


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = [
        "recipient",
        "period",
        "period_start",
        "state",
        "events",
        "waiting",
        "sent_at",
        "attempts",
    ]
    list_filter = ["state", "period", "period_start"]
    search_fields = ["recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "recipient",
        "period",
        "period_start",
        "state",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
        "events",
        "waiting",
    ]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send the selected unsent digests again")
    def resend(self, request, queryset):
        from .tasks import send_digest

        pending = list(queryset.filter(state=Digest.State.PENDING).values_list("pk", flat=True))
        _queue_again(self, request, send_digest, pending, "digest")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "created_at", "sent_at", "for_digest", "attempts", "error"]
    list_filter = [DeliveryFilter, "for_digest", "created_at"]
    search_fields = ["subject", "recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "recipient",
        "subject",
        "body",
        "url",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
        "for_digest",
        "digest",
    ]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="last error")
    def error(self, notification):
        return notification.last_error[:120] if notification.sent_at is None else ""

    @admin.action(description="Send the selected unsent notifications again")
    def resend(self, request, queryset):
        from .tasks import send_notification

        pending = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        _queue_again(self, request, send_notification, pending, "notification")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyRecordAdmin):
    list_display = ["created_at", "proposal", "action", "actor", "from_state", "to_state", "version_number"]
    list_filter = ["action", "from_state", "to_state"]
    search_fields = ["proposal__title", "proposal__code", "actor__username", "comment"]
    list_select_related = ["proposal", "actor"]
    date_hierarchy = "created_at"


class ReadOnlyInline(admin.TabularInline):
    """Rows of a ballot's record, shown and never added, changed or deleted."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VoteInline(ReadOnlyInline):
    model = Vote
    fields = ["voter", "choice", "comment", "cast_at", "changed_at"]
    readonly_fields = fields


class BallotVoterInline(ReadOnlyInline):
    """Who could vote, as recorded when the ballot opened: never changed afterwards."""

    model = BallotVoter
    fields = ["user"]
    readonly_fields = fields
    verbose_name = "recorded voter"


@admin.register(Ballot)
class BallotAdmin(ReadOnlyRecordAdmin):
    list_display = ["proposal", "body", "stage", "opened_at", "closed_at", "outcome"]
    list_filter = ["body", "outcome", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["proposal__title", "proposal__code"]
    list_select_related = ["proposal", "body"]
    inlines = [BallotVoterInline, VoteInline]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["proposal"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["body", "date", "location", "created_by"]
    list_filter = ["body"]
    search_fields = ["body__name", "location", "notes"]
    list_select_related = ["body", "created_by"]
    date_hierarchy = "date"
    raw_id_fields = ["created_by"]
    inlines = [AgendaItemInline]


@admin.register(InternalNote)
class InternalNoteAdmin(WorkflowRecordedFieldsAdmin, admin.ModelAdmin):
    """Notes are written by the reviewing body's members on the proposal's page; here they can be
    corrected or removed, never moved to another proposal or body, or re-attributed."""

    list_display = ["proposal", "body", "author", "created_at"]
    list_filter = ["body"]
    search_fields = ["proposal__title", "text", "author__username"]
    list_select_related = ["proposal", "body", "author"]
    workflow_fields = ["proposal", "body", "author", "created_at"]

    def has_add_permission(self, request):
        return False
