from django.urls import path

from lvv.monitor import views

app_name = "monitor"

urlpatterns = [
    path("", views.monitor_index, name="index"),
    path("download/<str:fmt>/", views.monitor_download, name="download"),
    path("verblijven/", views.monitor_stays, name="stays"),
    path("verschillen/", views.monitor_reconcile, name="reconcile"),
    path("publiceren/", views.monitor_publish, name="publish"),
    path("gepubliceerd/", views.monitor_published, name="published"),
    path("gepubliceerd/<int:pk>.json", views.monitor_published_json, name="published_json"),
]
