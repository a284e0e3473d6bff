"""A bare Django hello-world, served by gunicorn exactly like the portal, as the baseline of
`portal_mixed_rps` (bench/bench_fleet.py):

    DJANGO_SETTINGS_MODULE=loadtests.hello_settings \
        gunicorn loadtests.hello_wsgi:application -w 2 -b 127.0.0.1:8099
"""

import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadtests.hello_settings")


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Halo, dunia!", content_type="text/plain; charset=utf-8")


urlpatterns = [path("", hello)]
application = get_wsgi_application()
