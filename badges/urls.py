from django.urls import path

from . import awarding_views, credly_views, learning_views, verify_views, views

app_name = "badges"

urlpatterns = [
    path("issuer", views.issuer, name="issuer"),
    path("issuer/keys/<slug:name>", views.key, name="key"),
    path("achievements/<uuid:uuid>", views.achievement, name="achievement"),
    path("achievements/<uuid:uuid>/image.png", views.achievement_image, name="achievement_image"),
    path("status/<slug:purpose>", views.status_list, name="status_list"),
    path("verify/", verify_views.verify, name="verify"),
    path("awards/<uuid:public_id>/", views.award, name="award"),
    path("awards/<uuid:public_id>/credential.json", views.award_json, name="award_json"),
    path("awards/<uuid:public_id>/badge.png", views.award_png, name="award_png"),
    path("awards/<uuid:public_id>/badge.svg", views.award_svg, name="award_svg"),
    path("awards/<uuid:public_id>/revoke/", views.revoke, name="revoke"),
    path("awards/<uuid:public_id>/sharing/", views.sharing, name="sharing"),
    path("awards/<uuid:public_id>/credly/retry/", credly_views.retry, name="credly_retry"),
    path("mine/", views.my_awards, name="my_awards"),
    path("catalog/", learning_views.catalog, name="catalog"),
    path("catalog/<uuid:uuid>/", learning_views.catalog_detail, name="catalog_detail"),
    path("catalog/<uuid:uuid>/join/", learning_views.join, name="join"),
    path("learning/<int:pk>/", learning_views.enrolment, name="enrolment"),
    path("learning/<int:pk>/evidence/<str:part>/", learning_views.submit_evidence, name="submit_evidence"),
    path("evidence/", learning_views.evaluation_queue, name="evaluation_queue"),
    path("awarding/", awarding_views.awarding, name="awarding"),
    path("awarding/template.csv", awarding_views.template_csv, name="bulk_template"),
    path("awarding/uploads/<int:pk>/", awarding_views.bulk_detail, name="bulk"),
    path("awarding/uploads/<int:pk>/confirm/", awarding_views.bulk_confirm, name="bulk_confirm"),
    path("awarding/uploads/<int:pk>/cancel/", awarding_views.bulk_cancel, name="bulk_cancel"),
    path("awarding/uploads/<int:pk>/file/", awarding_views.bulk_file, name="bulk_file"),
    path("awarding/expiry/<uuid:uuid>/", awarding_views.expiry_change, name="expiry"),
    path("awarding/expiry/changes/<int:pk>/", awarding_views.expiry_status, name="expiry_status"),
    path("evidence/<int:pk>/", learning_views.review, name="review"),
    path("evidence/<int:pk>/file/", learning_views.evidence_file, name="evidence_file"),
]
