from django.contrib.auth.backends import ModelBackend

from .roles import role_permissions


class RoleBackend(ModelBackend):
    """Email + password login (case-insensitive address); permissions from the staff role."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(super().get_all_permissions(user_obj)) | set(role_permissions(user_obj))
