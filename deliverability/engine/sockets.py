"""The UDP sockets of one engine run, and waiting until one of them has something to read."""

import selectors
import socket

from .config import Settings


class Slot:
    """A UDP socket, the nameserver it asks, and its queries in flight by ID."""

    __slots__ = ("sock", "server", "table")

    def __init__(self, sock, server: tuple[str, int]):
        self.sock, self.server = sock, server
        self.table: dict = {}  # query ID -> Query


class UdpSockets:
    """``settings.sockets`` non-blocking UDP sockets per nameserver (several source ports), with large buffers.

    ``slots`` lists them nameserver by nameserver; ``ready(timeout)`` waits for answers.
    """

    def __init__(self, settings: Settings):
        self.slots: list[Slot] = []
        self._selector = selectors.DefaultSelector()
        try:
            for host, port in settings.nameservers:
                for _n in range(settings.sockets):
                    self._add(_udp_socket(host), (host, port))
        except BaseException:
            self.close()
            raise

    def _add(self, sock, server) -> None:
        self.slots.append(Slot(sock, server))  # closed with the others if registering fails
        self._selector.register(sock, selectors.EVENT_READ, len(self.slots) - 1)

    def ready(self, timeout: float) -> list[Slot]:
        """The slots with datagrams waiting, after at most ``timeout`` seconds."""
        slots = self.slots
        return [slots[key.data] for key, _mask in self._selector.select(timeout)]

    def close(self) -> None:
        self._selector.close()
        for slot in self.slots:
            slot.sock.close()


def _udp_socket(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            try:
                sock.setsockopt(socket.SOL_SOCKET, option, 1 << 21)
            except OSError:  # pragma: no cover - kernel limits
                pass
        sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))  # noqa: S104 - a client socket
    except BaseException:
        sock.close()
        raise
    return sock
