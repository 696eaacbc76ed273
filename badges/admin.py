from django.contrib import admin

from core.admin import ReadOnlyRecordAdmin

from .models import (
    Achievement,
    Award,
    BulkAward,
    Credential,
    CredlyBadge,
    ExpiryChange,
    IssuerKey,
    StatusList,
)

# Issued things (awards and their state, credentials, uploads and what came of each row) are
# changed by the services only (issue, revoke, confirm), never by hand: every admin here is read-only.


@admin.register(IssuerKey)
class IssuerKeyAdmin(ReadOnlyRecordAdmin):
    """Made, rotated and revoked by the commands (create_issuer_key, rotate_issuer_key,
    revoke_issuer_key), which keep a key that can sign and re-sign the status list."""

    list_display = ["name", "use", "created_at", "retired_at", "revoked_at", "public_key_multibase"]
    fields = ["name", "public_key_multibase", "created_at", "retired_at", "revoked_at", "revoked_reason"]
    readonly_fields = fields

    @admin.display(description="use")
    def use(self, key):
        if key.revoked_at:
            return "Revoked: compromised, what it signed is not trusted"
        if key.retired_at:
            return "Retired: signs nothing new, what it signed still verifies"
        return "Active: the newest active key signs new credentials"


@admin.register(Achievement)
class AchievementAdmin(ReadOnlyRecordAdmin):
    """Frozen once published; only how long future awards stay valid, and the Credly badge template
    its awards are also issued through, may be set."""

    EDITABLE = ("valid_for_days", "credly_template_id")
    list_display = [
        "name",
        "version",
        "achievement_type",
        "credit_bearing",
        "valid_for_days",
        "credly_template_id",
    ]
    search_fields = ["name", "proposal__code"]
    exclude = ["image_png"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in (*self.EDITABLE, "image_png")]


@admin.register(Award)
class AwardAdmin(ReadOnlyRecordAdmin):
    list_display = ["achievement", "learner", "state", "source", "issued_at", "valid_until", "revoked_at"]
    list_filter = ["state", "source"]
    list_select_related = ["achievement", "learner"]
    search_fields = ["achievement__name", "learner__email", "learner__last_name"]


@admin.register(BulkAward)
class BulkAwardAdmin(ReadOnlyRecordAdmin):
    """Spreadsheets of learners as uploaded, with who confirmed them and what came of each row."""

    list_display = [
        "original_name",
        "achievement",
        "state",
        "uploaded_by",
        "confirmed_by",
        "confirmed_at",
        "awarded",
    ]
    list_filter = ["state"]
    list_select_related = ["achievement", "uploaded_by", "confirmed_by"]
    search_fields = ["original_name", "achievement__name", "sha256"]


@admin.register(ExpiryChange)
class ExpiryChangeAdmin(ReadOnlyRecordAdmin):
    list_display = ["achievement", "valid_until", "changed_by", "created_at", "processed", "finished_at"]
    list_select_related = ["achievement", "changed_by"]
    search_fields = ["achievement__name", "reason"]


@admin.register(CredlyBadge)
class CredlyBadgeAdmin(ReadOnlyRecordAdmin):
    """Each award's copy in Credly; a failed one is retried from the award's page."""

    list_display = ["award", "state", "badge_id", "attempts", "last_error", "updated_at"]
    list_filter = ["state", "award__achievement"]
    list_select_related = ["award__achievement", "award__learner"]
    search_fields = ["badge_id", "last_error", "award__learner__username", "award__achievement__name"]


@admin.register(Credential)
class CredentialAdmin(ReadOnlyRecordAdmin):
    list_display = ["award", "key", "created_at"]
    exclude = ["png"]


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyRecordAdmin):
    list_display = ["purpose", "next_index", "updated_at"]
