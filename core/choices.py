"""A choice's label, for what pages show on every row (issue 18).

Django's ``get_FOO_display`` builds a dict of every choice on each call, hashing (so translating) each lazy
label; on a list of fifty rows that is hundreds of translations. ``label`` looks the value up in the
field's ``Choices`` enum and translates that one label: the same text.
"""

from django.db import models


def label(choices: type[models.Choices], value) -> str:
    """The label of ``value`` in the reader's language; a value the choices do not hold, as stored (as Django)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
