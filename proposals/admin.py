from django.contrib import admin

from .models import Competency, CompetencyFramework, Unit, UnitRole


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
