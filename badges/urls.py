from django.urls import path

from . import views
from .awarding import views as awarding
from .integrations import views as integrations
from .issuing import views as issuing
from .learning import views as learning
from .verification import views as verification

app_name = "badges"

urlpatterns = [
    path("issuer", issuing.issuer, name="issuer"),
    path("issuer/keys/<slug:name>", issuing.key, name="key"),
    path("achievements/<uuid:uuid>", issuing.achievement, name="achievement"),
    path("achievements/<uuid:uuid>/image.png", issuing.achievement_image, name="achievement_image"),
    path("status/<slug:purpose>", issuing.status_list, name="status_list"),
    path("status/<slug:purpose>/did", issuing.status_list, {"did": True}, name="status_list_did"),
    path("verify/", verification.verify, name="verify"),
    path("verify/api", verification.verify_api, name="verify_api"),
    path("awards/<uuid:public_id>/", views.award, name="award"),
    path("awards/<uuid:public_id>/credential.json", issuing.award_json, name="award_json"),
    path("awards/<uuid:public_id>/badge.png", issuing.award_png, name="award_png"),
    path("awards/<uuid:public_id>/badge.svg", issuing.award_svg, name="award_svg"),
    path("awards/<uuid:public_id>/revoke/", issuing.revoke, name="revoke"),
    path("awards/<uuid:public_id>/sharing/", views.sharing, name="sharing"),
    path("awards/<uuid:public_id>/credly/retry/", integrations.retry, name="credly_retry"),
    path("mine/", views.my_awards, name="my_awards"),
    path("names/", learning.names, name="names"),
    path("names/reissue/", learning.reissue_names, name="reissue_names"),
    path("catalog/", learning.catalog, name="catalog"),
    path("catalog/<uuid:uuid>/", learning.catalog_detail, name="catalog_detail"),
    path("catalog/<uuid:uuid>/join/", learning.join, name="join"),
    path("learning/<int:pk>/", learning.enrolment, name="enrolment"),
    path("learning/<int:pk>/evidence/<str:part>/", learning.submit_evidence, name="submit_evidence"),
    path("evidence/", learning.evaluation_queue, name="evaluation_queue"),
    path("awarding/", awarding.awarding, name="awarding"),
    path("awarding/holders/<uuid:uuid>/", awarding.holders, name="holders"),
    path("awarding/template.csv", awarding.template_csv, name="bulk_template"),
    path("awarding/uploads/<int:pk>/", awarding.bulk_detail, name="bulk"),
    path("awarding/uploads/<int:pk>/confirm/", awarding.bulk_confirm, name="bulk_confirm"),
    path("awarding/uploads/<int:pk>/cancel/", awarding.bulk_cancel, name="bulk_cancel"),
    path("awarding/uploads/<int:pk>/file/", awarding.bulk_file, name="bulk_file"),
    path("awarding/expiry/<uuid:uuid>/", awarding.expiry_change, name="expiry"),
    path("awarding/expiry/changes/<int:pk>/", awarding.expiry_status, name="expiry_status"),
    path("evidence/<int:pk>/", learning.review, name="review"),
    path("evidence/<int:pk>/file/", learning.evidence_file, name="evidence_file"),
]
