"""What each staff role may do in the Django admin, as the auth backend asks it.

Each app declares its own staff roles' permissions in ``<app>/access.py`` (``GRANTS.roles``);
``accounts.access`` collects them. Object-level scoping (which accounts) is not here: it is
``accounts.access.reach`` (``Account.objects.visible_to``).
"""

from .access import role_permissions as permissions_of_role


def role_permissions(user) -> frozenset[str]:
    if not (user.is_active and user.is_staff):
        return frozenset()
    return permissions_of_role(user.staff_role)
