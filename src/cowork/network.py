"""Where `cowork serve` is reached: the laptop's LAN address, and the addresses it serves under.

With nothing configured, cowork serves the room: it listens on every interface, works out the address of
the interface the default route leaves by (the one phones on the same Wi-Fi reach), and puts that address
in the QR code. `COWORK_PUBLIC_BASE_URL` or `--host` mean someone decided: then nothing is guessed.
"""

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

# Documentation addresses (RFC 5737, RFC 3849): routed by the default route, never answered. Connecting a
# UDP socket to one sends nothing; it only makes the kernel choose the source address it would send from.
PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))

SocketFactory = Callable[[int, int], socket.socket]
RouteSource = Callable[[int, str], str | None]


def route_source(family: int, destination: str, *, make_socket: SocketFactory = socket.socket) -> str | None:
    """The local address the kernel would send from towards destination, or None without such a route."""
    try:
        with make_socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((destination, 9))
            return str(probe.getsockname()[0])
    except OSError:  # no route (no network), or the family is not there at all
        return None


def phones_can_reach(address: str) -> bool:
    """False for addresses only this machine (loopback) or one link without a router (169.254, fe80) use."""
    host = address.strip("[]").split("%")[0]
    if host == "localhost":
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return True  # a host name: whoever configured it knows where it points
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)


def lan_address(*, source: RouteSource = route_source) -> str | None:
    """The address of the default route's interface, IPv4 first; None when there is no usable one."""
    for family, destination in PROBES:
        address = source(family, destination)
        if address and phones_can_reach(address):
            return address
    return None


def url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@dataclass(frozen=True)
class Serving:
    """What `cowork serve` listens on, the URL it hands out, and the other origins its pages come from."""

    host: str
    public_base_url: str | None  # None: the configured setting stands
    other_origins: tuple[str, ...] = ()
    lan: bool = False  # True when cowork chose the address itself


def plan_serving(
    *,
    host: str | None,
    port: int,
    configured_url: str | None,
    pinned: str | None,
    find: Callable[[], str | None],
) -> Serving:
    """Decide where to serve. A configured URL or host keeps the strict behaviour; else serve the LAN."""
    if configured_url or host:
        # Someone decided: nothing is guessed. With --host alone the laptop's own address stands, on the
        # port served (else `--port 9000` put :8000 in the QR code and refused its own sockets).
        own = None if configured_url else f"http://127.0.0.1:{port}"
        return Serving(host=host or "127.0.0.1", public_base_url=own)
    address = pinned or find()
    local = (f"http://127.0.0.1:{port}", f"http://localhost:{port}")
    if address is None:
        # No network: the laptop alone can use it; phones cannot until it joins one and starts again.
        return Serving(host="127.0.0.1", public_base_url=local[0], other_origins=local[1:], lan=True)
    ipv6 = ":" in address
    others = (*local, f"http://[::1]:{port}") if ipv6 else local
    return Serving(
        host="::" if ipv6 else "0.0.0.0",  # every interface: serving the room's phones is the point
        public_base_url=f"http://{url_host(address)}:{port}",
        other_origins=others,
        lan=True,
    )
