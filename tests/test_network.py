"""Where `cowork serve` is reached: the LAN address it finds, and what it serves under (cowork/network.py)."""

import ipaddress
import socket
from typing import Any

import pytest

from cowork.network import lan_address, phones_can_reach, plan_serving, route_source


class Kernel:
    """A stand-in for the kernel's routing: its interfaces, and which one the default route leaves by.

    It answers the probe socket as the kernel does: connect() on UDP picks the interface whose network
    holds the destination, else the default route's; without a route it raises ENETUNREACH.
    """

    def __init__(self, interfaces: dict[str, list[str]], default: dict[int, str] | None = None) -> None:
        self.interfaces = {
            name: [ipaddress.ip_interface(a) for a in addrs] for name, addrs in interfaces.items()
        }
        self.default = default or {}
        self.sent: list[Any] = []
        self.connected: list[tuple[int, str]] = []

    def socket(self, family: int, kind: int) -> "ProbeSocket":
        assert kind == socket.SOCK_DGRAM  # a UDP probe: connecting it sends nothing
        return ProbeSocket(self, family)

    def source_for(self, family: int, destination: str) -> str:
        target = ipaddress.ip_address(destination)
        for addresses in self.interfaces.values():
            for address in addresses:
                if address.version == target.version and target in address.network:
                    return str(address.ip)
        if family not in self.default:
            raise OSError(101, "Network is unreachable")
        wanted = 4 if family == socket.AF_INET else 6
        # Towards a routed destination the kernel picks a global source address, not a link-local one.
        return next(
            str(a.ip)
            for a in self.interfaces[self.default[family]]
            if a.version == wanted and not a.ip.is_link_local
        )


class ProbeSocket:
    def __init__(self, kernel: Kernel, family: int) -> None:
        self.kernel, self.family, self.source = kernel, family, ""

    def __enter__(self) -> "ProbeSocket":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def connect(self, address: tuple[str, int]) -> None:
        self.kernel.connected.append((self.family, address[0]))
        self.source = self.kernel.source_for(self.family, address[0])

    def getsockname(self) -> tuple[str, int]:
        return (self.source, 40000)

    def send(self, data: bytes) -> None:
        self.kernel.sent.append(data)


def _find(kernel: Kernel) -> str | None:
    return lan_address(source=lambda family, to: route_source(family, to, make_socket=kernel.socket))


def test_the_address_of_the_default_route_is_the_one_phones_get() -> None:
    kernel = Kernel(
        {"lo": ["127.0.0.1/8", "::1/128"], "wlan0": ["192.168.1.20/24", "fe80::1c2a/64"]},
        default={socket.AF_INET: "wlan0"},
    )
    assert _find(kernel) == "192.168.1.20"
    # The probe went to a documentation address, and nothing was sent anywhere.
    assert kernel.connected == [(socket.AF_INET, "192.0.2.1")] and kernel.sent == []


def test_with_several_interfaces_the_default_routes_wins_over_docker_and_vpn_bridges() -> None:
    kernel = Kernel(
        {
            "lo": ["127.0.0.1/8"],
            "docker0": ["172.17.0.1/16"],
            "virbr0": ["192.168.122.1/24"],
            "wlp2s0": ["10.42.7.31/16"],
        },
        default={socket.AF_INET: "wlp2s0"},
    )
    assert _find(kernel) == "10.42.7.31"


def test_without_any_network_there_is_no_address_and_cowork_stays_on_this_laptop() -> None:
    kernel = Kernel({"lo": ["127.0.0.1/8", "::1/128"]})
    assert _find(kernel) is None
    serving = plan_serving(host=None, port=8000, configured_url=None, pinned=None, find=lambda: _find(kernel))
    assert serving.host == "127.0.0.1" and serving.public_base_url == "http://127.0.0.1:8000"
    assert serving.lan


def test_an_ipv6_only_network_gets_a_bracketed_url_and_listens_on_both_stacks() -> None:
    kernel = Kernel(
        {"lo": ["::1/128"], "eth0": ["fe80::5/64", "2001:db8:42::20/64"]},
        default={socket.AF_INET6: "eth0"},
    )
    address = _find(kernel)
    assert address == "2001:db8:42::20"
    assert kernel.connected == [(socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")]
    serving = plan_serving(host=None, port=8000, configured_url=None, pinned=None, find=lambda: address)
    assert serving.host == "::" and serving.public_base_url == "http://[2001:db8:42::20]:8000"
    assert "http://[::1]:8000" in serving.other_origins


def test_a_link_local_route_is_not_an_address_for_phones() -> None:
    assert lan_address(source=lambda family, to: "169.254.10.2" if family == socket.AF_INET else None) is None


@pytest.mark.parametrize(
    ("address", "reachable"),
    [
        ("192.168.1.20", True),
        ("10.0.0.5", True),
        ("2001:db8::5", True),
        ("cowork.example.org", True),
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("localhost", False),
        ("::1", False),
        ("[::1]", False),
        ("169.254.3.4", False),
        ("fe80::1%wlan0", False),
        ("0.0.0.0", False),
    ],
)
def test_which_addresses_phones_can_reach(address: str, reachable: bool) -> None:
    assert phones_can_reach(address) is reachable


def test_with_nothing_configured_cowork_serves_the_lan_and_the_laptop_itself() -> None:
    serving = plan_serving(
        host=None, port=8123, configured_url=None, pinned=None, find=lambda: "192.168.1.20"
    )
    assert serving.host == "0.0.0.0"
    assert serving.public_base_url == "http://192.168.1.20:8123"
    assert serving.other_origins == ("http://127.0.0.1:8123", "http://localhost:8123")


def test_a_pinned_address_replaces_the_detection() -> None:
    def never() -> str:
        raise AssertionError("a pinned address needs no detection")

    serving = plan_serving(host=None, port=8000, configured_url=None, pinned="127.0.0.2", find=never)
    assert serving.public_base_url == "http://127.0.0.2:8000" and serving.host == "0.0.0.0"


@pytest.mark.parametrize(
    ("host", "configured"),
    [("127.0.0.1", None), (None, "https://cowork.example.org"), ("0.0.0.0", "http://x:1")],
)
def test_a_host_or_a_public_url_keeps_the_strict_behaviour(host: str | None, configured: str | None) -> None:
    def never() -> str:
        raise AssertionError("nothing is guessed when someone decided")

    serving = plan_serving(host=host, port=8000, configured_url=configured, pinned="10.0.0.1", find=never)
    assert serving.other_origins == () and not serving.lan
    assert serving.host == (host or "127.0.0.1")
    # A configured URL stands as it is; with --host alone, the laptop's own address is the one origin.
    assert serving.public_base_url == (None if configured else "http://127.0.0.1:8000")


def test_with_a_host_alone_the_own_address_follows_the_port() -> None:
    serving = plan_serving(host="127.0.0.1", port=9000, configured_url=None, pinned=None, find=lambda: None)
    assert serving.public_base_url == "http://127.0.0.1:9000"


def test_the_real_probe_answers_without_sending() -> None:
    """On this machine: an address, or None without a route; never an exception."""
    found = route_source(socket.AF_INET, "192.0.2.1")
    assert found is None or ipaddress.ip_address(found).version == 4
