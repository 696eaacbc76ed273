from django.contrib import admin

from .models import Achievement, Award, Credential, IssuerKey, StatusList


class ReadOnly(admin.ModelAdmin):
    """Issued things are changed by the services only (issue, revoke), never by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuerKey)
class IssuerKeyAdmin(ReadOnly):
    list_display = ["name", "public_key_multibase", "created_at", "retired_at"]


@admin.register(Achievement)
class AchievementAdmin(ReadOnly):
    """Frozen once published; only how long future awards stay valid may be set."""

    list_display = ["name", "version", "achievement_type", "credit_bearing", "valid_for_days", "created_at"]
    exclude = ["image_png"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in ("valid_for_days", "image_png")]


@admin.register(Award)
class AwardAdmin(ReadOnly):
    list_display = ["achievement", "learner", "state", "issued_at", "revoked_at"]
    list_filter = ["state"]
    list_select_related = ["achievement", "learner"]


@admin.register(Credential)
class CredentialAdmin(ReadOnly):
    list_display = ["award", "key", "created_at"]
    exclude = ["png"]


@admin.register(StatusList)
class StatusListAdmin(ReadOnly):
    list_display = ["purpose", "next_index", "updated_at"]
