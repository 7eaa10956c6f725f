"""Every model of the project has a factory, and every factory builds a row that passes ``full_clean()``
(STYLE: Tests — "factory_boy factories per app, plus one test that every factory's output passes
full_clean()"). A new model without a factory in some ``tests/**/factories.py`` fails here."""

import importlib
import inspect
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from factory.django import DjangoModelFactory

TESTS = Path(__file__).resolve().parent


def factory_modules() -> list:
    names = sorted(".".join(p.relative_to(TESTS.parent).with_suffix("").parts) for p in TESTS.rglob("factories.py"))
    return [importlib.import_module(name) for name in names]


def all_factories() -> list[type[DjangoModelFactory]]:
    """Every DjangoModelFactory defined in a factories module (imported ones counted where they are defined)."""
    return [
        obj
        for module in factory_modules()
        for _name, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, DjangoModelFactory) and obj.__module__ == module.__name__ and obj._meta.model is not None
    ]


def project_models() -> list:
    """The models of the project's own apps (not Django's or a library's)."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root) and "site-packages" not in Path(config.path).parts
        for model in config.get_models()
    ]


def label(model) -> str:
    return model._meta.label


def test_every_model_of_the_project_has_a_factory():
    with_factory = {label(f._meta.model) for f in all_factories()}
    missing = sorted(label(m) for m in project_models() if label(m) not in with_factory)
    assert not missing, f"models without a factory in tests/**/factories.py: {missing}"


def test_the_project_models_are_found():
    """The discovery above sees the apps (a wrong root would make the test above pass on nothing)."""
    found = {m._meta.app_label for m in project_models()}
    assert {"accounts", "cases", "deliverability", "planning", "availability", "portal"} <= found
    assert not found & {"auth", "admin", "sessions", "contenttypes", "axes", "django_celery_results"}


@pytest.mark.django_db
@pytest.mark.parametrize("factory", all_factories(), ids=lambda f: f"{f.__module__.split('.')[1]}.{f.__name__}")
def test_every_factory_builds_valid_objects(factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # an attachment's file goes to a throw-away directory
    obj = factory()
    obj.full_clean()
