from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("", views.my_proposals, name="mine"),
    path("search/", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/<slug:section>/", views.edit, name="edit"),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/duplicate/", views.duplicate, name="duplicate"),
    path("<int:pk>/versions/<int:number>/duplicate/", views.duplicate, name="duplicate_version"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/attachments/", views.upload_attachment, name="upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.download_attachment, name="download"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/delete/", views.delete_attachment, name="delete_attachment"
    ),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("<int:pk>/consultation/", views.consult, name="consult"),
]
