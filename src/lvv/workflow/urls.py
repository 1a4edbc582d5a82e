from django.urls import path

from lvv.workflow import views

app_name = "workflow"

urlpatterns = [
    path("aanmelden/", views.register, name="register"),
    path("casus/<uuid:stay_id>/", views.case, name="case"),
    path("casus/<uuid:stay_id>/akkoord/", views.admission_verdict, name="admission_verdict"),
    path("casus/<uuid:stay_id>/<slug:step>/", views.case_step, name="case_step"),
    path("casus/<uuid:stay_id>/gedwongen-vertrek/start/", views.forced_start, name="forced_start"),
    path("juridische-check/<int:section_id>/", views.legal_section, name="legal_section"),
    path("acties/", views.actions_overview, name="actions"),
    path("acties/<int:action_id>/", views.action_update, name="action_update"),
    path("activiteiten/<int:activity_id>/aanwezigheid/", views.attendance, name="attendance"),
    path("documenten/<int:document_id>/", views.document_download, name="document"),
    path("opschalingen/<int:escalation_id>/", views.escalation_detail, name="escalation"),
    path("overleggen/", views.meeting_list, name="meetings"),
    path("overleggen/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("wachtlijst/", views.waiting, name="waiting"),
    path("dubbele-registraties/", views.duplicates, name="duplicates"),
    path("dubbele-registraties/<int:candidate_id>/", views.duplicate_detail, name="duplicate"),
]
