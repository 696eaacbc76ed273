from django.urls import path

from . import views

app_name = "transcripts"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("records/<int:pk>/", views.record, name="record"),
    path("terms/", views.terms, name="terms"),
    path("terms/<int:pk>/", views.terms, name="term"),
    path("batches/", views.batches, name="batches"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/batch.<str:kind>", views.batch_file, name="batch_file"),
]
