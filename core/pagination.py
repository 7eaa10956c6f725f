from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap`` rows: a work queue is read from the top, and an exact count of
    100,000 open cases costs more than the page itself. ``capped`` says the real number is larger."""

    cap = 1000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
