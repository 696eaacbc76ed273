"""The admin's ground rules, shared by every app: what records an act of the workflow is never
written by hand, and a staff member never grants what only a superuser may grant.

Read-only fields are left out of the admin's form, so a value posted for one is ignored: nothing
here relies on the page hiding a field."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Max

from .models import Profile


class WorkflowRecordedFieldsAdmin:
    """A ``ModelAdmin`` mixin: the fields that record an act of the workflow (a sign-off, a
    consultation's completion, a state and its stamps) are read-only in every state. Those acts
    happen only through the services, which check who may act and write the history.

    ``workflow_fields``: read-only on the add form and on the change form.
    ``fixed_once_created``: chosen when the record is made, read-only afterwards (the proposal a
    consultation is about: a consultation is never moved to another proposal)."""

    workflow_fields = ()
    fixed_once_created = ()

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *self.workflow_fields]
        if obj is not None:
            fields += self.fixed_once_created
        return list(dict.fromkeys(fields))


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """The record of what happened (audit events, ballots, awards, credentials): visible to
    administrators, never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- people: only superusers grant powers ------------------------------------------------------------


class OnlySuperusersGrant:
    """Only a superuser grants powers: for anyone else ``granting_fields`` are read-only, and a
    superuser's account is theirs alone to change (else a staff member could set a superuser's
    password and sign in as them)."""

    granting_fields = ()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.granting_fields if f not in fields]
        return fields


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ("affiliation", "unit")
    # What the institution says is refreshed at every sign-in: shown, not edited here.
    readonly_fields = ("affiliation", "unit")


class StaffCannotEscalateUserAdmin(OnlySuperusersGrant, UserAdmin):
    """Django's user admin, except that a staff member allowed to change users cannot make anyone
    staff or superuser, nor give groups or permissions (Django lets them, even to themselves).

    It also shows how each account signs in (a local password, the institution's sign-in, or
    both) and when it last did; deactivating an account (``is_active``) ends its sign-ins and its
    open sessions, and keeps its history."""

    granting_fields = ("is_staff", "is_superuser", "groups", "user_permissions")
    inlines = (ProfileInline,)
    list_display = (*UserAdmin.list_display, "is_active", "signs_in_with", "last_login")
    actions = ("export_data",)
    list_filter = (*UserAdmin.list_filter, "socialaccount__provider")
    readonly_fields = ("signs_in_with", "last_institution_sign_in")

    @admin.action(description="Export everything held about the selected person (JSON)")
    def export_data(self, request, queryset):
        """A data-access request: one person at a time, so that one file holds one person."""
        from django.contrib import messages
        from django.http import HttpResponse

        from .privacy import export_json

        if queryset.count() != 1:
            self.message_user(request, "Select exactly one person to export.", level=messages.WARNING)
            return None
        person = queryset.get()
        response = HttpResponse(export_json(person), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
        return response

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, ("Signing in", {"fields": ("signs_in_with", "last_institution_sign_in")})]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("socialaccount_set")
            .annotate(last_institution_sign_in=Max("socialaccount__last_login"))
        )

    @admin.display(description="signs in with")
    def signs_in_with(self, user):
        ways = [f"institution ({account.provider})" for account in user.socialaccount_set.all()]
        if user.has_usable_password():
            ways.append("local password")
        return ", ".join(ways) or "nothing (no password, no institutional sign-in)"

    @admin.display(description="last institutional sign-in")
    def last_institution_sign_in(self, user):
        return getattr(user, "last_institution_sign_in", None) or "never"

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class StaffCannotEscalateGroupAdmin(OnlySuperusersGrant, GroupAdmin):
    """A staff member allowed to change groups cannot add permissions to one (their own included)."""

    granting_fields = ("permissions",)


admin.site.unregister(User)
admin.site.register(User, StaffCannotEscalateUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, StaffCannotEscalateGroupAdmin)
