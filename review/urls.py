from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("queue/", views.my_queue, name="queue"),
    path("email-settings/", views.email_settings, name="email_settings"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/csv/", views.dashboard_csv, name="dashboard_csv"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/<int:body_id>/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/agenda/", views.agenda_change, name="agenda"),
    path("proposals/<int:pk>/submit/", views.submit, name="submit"),
    path("proposals/<int:pk>/decide/", views.decide, name="decide"),
    path("proposals/<int:pk>/vote/", views.vote, name="vote"),
    path("proposals/<int:pk>/close-vote/", views.close_vote, name="close_vote"),
    path("proposals/<int:pk>/remind-voters/", views.remind_voters, name="remind_voters"),
    path("proposals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("proposals/<int:pk>/publish/", views.publish, name="publish"),
    path("proposals/<int:pk>/retire/", views.retire, name="retire"),
    path("proposals/<int:pk>/fee-signoff/", views.fee_signoff, name="fee_signoff"),
    path("proposals/<int:pk>/notes/", views.note, name="note"),
    path("proposals/<int:pk>/move-to-profile/", views.move_to_profile, name="move_to_profile"),
    path(
        "proposals/<int:pk>/consultation/complete/", views.complete_consultation, name="complete_consultation"
    ),
]
