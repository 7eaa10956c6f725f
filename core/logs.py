"""Structured logs: one JSON object per line in production, readable lines under ``make run``.

django-structlog binds a request id and the user id to every log line of a request and a task id to every
line of a Celery task; the receivers here add what it does not know: the client address as every limit reads
it (core/network.py), the account the URL is about, and how long the request took. Lines written with the
standard ``logging`` module get the same context.
"""

import time
from urllib.parse import parse_qsl

import structlog
from django.dispatch import receiver
from django.urls import Resolver404, resolve
from django_structlog import signals

from core.network import client_ip

SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


def logging_config(*, json: bool, level: str) -> dict:
    """The LOGGING setting: every logger through structlog's formatter, JSON or console."""
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    if json:
        render = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        render = [structlog.dev.ConsoleRenderer(colors=False)]
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
        "foreign_pre_chain": SHARED,
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"axes": {"level": "WARNING"}, "django_structlog": {"level": level}},
    }


class AccountContextMiddleware:
    """Binds the account a URL is about (``/a/<slug>/...``) to every log line of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if slug := view_kwargs.get("slug"):
            structlog.contextvars.bind_contextvars(account=slug)


def loggable_request(request) -> str:
    """``METHOD path`` as a log line shows it: a URL's ``token`` (a password reset's, an emailed rating link's) and
    the values of the query string (a sign-in's ``code``) would let whoever reads the logs use them."""
    path = request.path
    try:
        token = (request.resolver_match or resolve(request.path_info)).kwargs.get("token")
    except Resolver404:
        token = None
    if token:
        path = path.replace(str(token), "[token]")
    if query := parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True):
        path += "?" + "&".join(f"{name}=…" for name, _ in query)
    return f"{request.method} {path}"


@receiver(signals.bind_extra_request_metadata)
def _client_and_clock(request, logger, log_kwargs, **_):
    structlog.contextvars.bind_contextvars(ip=client_ip(request))
    log_kwargs["request"] = loggable_request(request)
    request._log_started = time.perf_counter()


@receiver(signals.bind_extra_request_finished_metadata)
def _duration(request, logger, response, log_kwargs, **_):
    log_kwargs["request"] = loggable_request(request)
    started = getattr(request, "_log_started", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)


@receiver(signals.bind_extra_request_failed_metadata)
def _failed(request, logger, exception, log_kwargs, **_):
    log_kwargs["request"] = loggable_request(request)
