from django.urls import path

from lvv.exchange import views

app_name = "exchange"

urlpatterns = [
    path("importeren/", views.import_upload, name="import"),
    path("importeren/<uuid:upload_id>/", views.import_confirm, name="import_confirm"),
    path("export/caseload.<str:fmt>", views.caseload_export, name="export"),
]
