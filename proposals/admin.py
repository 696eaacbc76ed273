from django.contrib import admin

from core.admin import WorkflowRecordedFieldsAdmin

from .models import (
    Activity,
    Assessment,
    Attachment,
    Comment,
    Competency,
    CompetencyFramework,
    Consultation,
    Course,
    Experience,
    LearningOutcome,
    Proposal,
    ProposalVersion,
    Unit,
    UnitRole,
)


class UnitRoleInline(admin.TabularInline):
    model = UnitRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [UnitRoleInline]


@admin.register(UnitRole)
class UnitRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]


class CompetencyInline(admin.TabularInline):
    model = Competency
    extra = 0
    fields = ["position", "name", "slug", "url"]


@admin.register(CompetencyFramework)
class CompetencyFrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "url"]
    search_fields = ["name"]
    inlines = [CompetencyInline]


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "position", "url"]
    list_filter = ["framework"]
    search_fields = ["name", "definition"]
    list_select_related = ["framework"]
    ordering = ["framework__name", "position"]


class CourseInline(admin.TabularInline):
    model = Course
    extra = 0


class OutcomeInline(admin.TabularInline):
    model = LearningOutcome
    extra = 0
    fields = ["position", "kind", "text"]


class ExperienceInline(admin.TabularInline):
    model = Experience
    extra = 0


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "purpose", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(WorkflowRecordedFieldsAdmin, admin.ModelAdmin):
    list_display = ["title", "code", "unit", "kind", "level", "state", "profile", "lead_author", "updated_at"]
    list_filter = ["state", "profile", "kind", "form", "level", "unit"]
    search_fields = [
        "title",
        "code",
        "summary",
        "lead_author__username",
        "lead_author__last_name",
        "unit__name",
    ]
    list_select_related = ["unit", "lead_author"]
    autocomplete_fields = ["unit", "lead_author", "co_authors", "co_sponsors", "competencies"]
    filter_horizontal = ["components"]
    # Written only by the workflow's services, which record each act in the history: a fee sign-off
    # typed in here would let the final approval pass with no sign-off on record.
    workflow_fields = [
        "state",
        "returned_from",
        # Set by submission; the office moves a proposal to the active profile with a recorded decision.
        "profile",
        "submitted_at",
        "stage_entered_at",
        "fee_review_signed_by",
        "fee_review_signed_at",
        "fee_review_amount",
        "fee_review_notes",
        "created_at",
        "updated_at",
        # A revision is linked by the service that starts it (see proposals.services.start_revision).
        "revision_of",
        "revision_started_by",
        "revision_part_ids",
    ]
    date_hierarchy = "updated_at"
    inlines = [
        CourseInline,
        ExperienceInline,
        OutcomeInline,
        ActivityInline,
        AssessmentInline,
        AttachmentInline,
    ]

    # Once submitted, a proposal changes only through the workflow (a new version, an audit event):
    # the admin shows it read-only.
    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Files are downloaded through the proposal page's permission-checked view, not from here."""

    list_display = [
        "original_name",
        "proposal",
        "content_type",
        "size",
        "purpose",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["content_type", "purpose"]
    search_fields = ["original_name", "proposal__title", "proposal__code"]
    list_select_related = ["proposal", "uploaded_by"]
    exclude = ["file"]
    readonly_fields = ["proposal", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ProposalVersion)
class ProposalVersionAdmin(admin.ModelAdmin):
    list_display = ["proposal", "number", "created_by", "created_at"]
    search_fields = ["proposal__title", "proposal__code"]
    list_select_related = ["proposal", "created_by"]
    readonly_fields = ["proposal", "number", "data", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(WorkflowRecordedFieldsAdmin, admin.ModelAdmin):
    """A consultation may be opened here for the authors; only the office completes it, through the
    proposal's page (``review.services.complete_consultation``), which records it in the history.
    Under FIU a completed consultation lets a proposal be submitted, so none is made up here."""

    list_display = ["proposal", "requested_by", "created_at", "closed_at"]
    list_filter = [("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["proposal__title"]
    list_select_related = ["proposal", "requested_by"]
    raw_id_fields = ["proposal", "requested_by"]
    workflow_fields = ["closed_at", "closed_by", "rigor", "created_at"]
    fixed_once_created = ["proposal", "requested_by", "message"]


@admin.register(Comment)
class CommentAdmin(WorkflowRecordedFieldsAdmin, admin.ModelAdmin):
    """Comments are written on the proposal's page by those who may read it; here they can be
    corrected or removed, never moved, re-attributed or dated to another stage."""

    list_display = ["proposal", "author", "state", "created_at"]
    list_filter = ["state"]
    search_fields = ["proposal__title", "body", "author__username"]
    list_select_related = ["proposal", "author"]
    workflow_fields = ["proposal", "author", "state", "created_at"]

    def has_add_permission(self, request):
        return False
