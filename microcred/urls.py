from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from badges.issuing import views as issuing

from . import views
from .forms import QueuedPasswordResetForm
from .signin import views as signin_views

admin.site.site_header = "Micro-credentials administration"
admin.site.site_title = "Micro-credentials admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # The issuer's did:web DID document: its path depends on PUBLIC_BASE_URL, the view answers one.
    path(".well-known/did.json", issuing.did_document, name="did_document"),
    path("did.json", issuing.did_document, name="did_document_below_path"),
    path("proposals/", include("proposals.urls")),
    path("review/", include("review.urls")),
    path("badges/", include("badges.urls")),
    path("registrar/", include("transcripts.urls")),
    # Learners from outside the university register and verify their email (django-allauth); they
    # log in on the one login page everybody uses.
    path("learners/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("learners/", include("allauth.urls")),
    path("accounts/login/", signin_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", signin_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "microcred.views.permission_denied"
handler404 = "microcred.views.page_not_found"
handler500 = "microcred.views.server_error"
