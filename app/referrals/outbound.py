"""Outbound requests that cannot be turned against us: a webhook URL must name a public internet
host (or one of `WEBHOOK_ALLOWED_HOSTS`), checked when it is set and again, by resolving it anew,
before every delivery, which then connects to the very address that was checked."""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from app.core.config import get_settings
from app.core.errors import InvalidField

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

RESOLVE_TIMEOUT_SECONDS = 3.0
DEFAULT_PORTS = {"http": 80, "https": 443}
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known NAT64 prefix (RFC 6052)
_HOST_NAME = (
    "abcdefghijklmnopqrstuvwxyz0123456789-."  # after IDNA: pydantic's HttpUrl gives punycode
)


class UnsafeWebhookUrl(InvalidField):
    """A webhook URL the service will not post to; names the field `url` and says why."""

    code = "unsafe-webhook-url"
    field = "url"


class UnusableUrl(UnsafeWebhookUrl):
    en = "not a usable URL ({error})."
    bn = "ব্যবহারযোগ্য URL নয় ({error})।"


class NotHttps(UnsafeWebhookUrl):
    en = "webhooks must use https (plain http only in development)."
    bn = "ওয়েবহুক অবশ্যই https হতে হবে (সাধারণ http শুধু ডেভেলপমেন্টে)।"


class UserInfoInUrl(UnsafeWebhookUrl):
    en = "a webhook URL must not carry a user name or password."
    bn = "ওয়েবহুক URL-এ ব্যবহারকারীর নাম বা পাসওয়ার্ড রাখা যাবে না।"


class NoHost(UnsafeWebhookUrl):
    en = "a webhook URL needs a host name or an address."
    bn = "ওয়েবহুক URL-এ হোস্টের নাম বা ঠিকানা থাকতে হবে।"


class SlowResolve(UnsafeWebhookUrl):
    en = "{host} did not resolve within {seconds:g} seconds."
    bn = "{host} হোস্টের ঠিকানা {seconds:g} সেকেন্ডের মধ্যে পাওয়া যায়নি।"


class NoAddress(UnsafeWebhookUrl):
    en = "{host} does not resolve to any address."
    bn = "{host} হোস্টের কোনো ঠিকানা পাওয়া যায় না।"


ONLY_PUBLIC = (
    "webhooks are posted only to public internet addresses (or to hosts in WEBHOOK_ALLOWED_HOSTS)."
)
ONLY_PUBLIC_BN = "ওয়েবহুক শুধু ইন্টারনেটের পাবলিক ঠিকানায় পাঠানো হয় (অথবা WEBHOOK_ALLOWED_HOSTS-এ থাকা হোস্টে)।"


class NonPublicAddress(UnsafeWebhookUrl):
    """An address literal that is not a public internet address; `why` says what it is."""

    en = "{address} is {why}; " + ONLY_PUBLIC
    bn = "{address} হলো {why_bn}; " + ONLY_PUBLIC_BN


class NonPublicHost(UnsafeWebhookUrl):
    """A host name resolving to an address that is not public; `why` says what it is."""

    en = "{host} resolves to {address}, {why}; " + ONLY_PUBLIC
    bn = "{host} হোস্টের ঠিকানা {address}, যা {why_bn}; " + ONLY_PUBLIC_BN


@dataclass(frozen=True)
class Target:
    """A checked webhook: where to connect (`address`) and what to call the host there."""

    scheme: str
    host: str  # the name (or address literal) of the URL, lower case, without brackets
    port: int
    address: IPAddress
    host_header: str
    path: str

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the name, so that nothing resolves it
        again between the check and the connection."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        port = "" if self.port == DEFAULT_PORTS[self.scheme] else f":{self.port}"
        return f"{self.scheme}://{literal}{port}{self.path}"

    @property
    def extensions(self) -> dict[str, str]:
        """For https to a name: the name goes in TLS SNI and is what the certificate must match."""
        if self.scheme == "https" and not _is_address(self.host):
            return {"sni_hostname": self.host}
        return {}


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def address_problem(address: IPAddress) -> tuple[str, str] | None:
    """Why a request must not go to this address (English, Bangla), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            problem = address_problem(embedded)
            if problem is not None or address.ipv4_mapped or address in _NAT64:
                # a mapped or NAT64 address is its IPv4 address in another form
                return problem
    if address.is_unspecified:
        return "the unspecified address", "অনির্দিষ্ট ঠিকানা"
    if address.is_loopback:
        return "a loopback address (this machine)", "লুপব্যাক ঠিকানা (এই যন্ত্রটিই)"
    if address.is_link_local:
        return (
            "a link-local address (such as the cloud metadata service)",
            "লিংক-লোকাল ঠিকানা (যেমন ক্লাউডের মেটাডেটা সেবা)",
        )
    if address.is_multicast:
        return "a multicast address", "মাল্টিকাস্ট ঠিকানা"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return (
            "a shared (carrier-grade NAT) address",
            "শেয়ার্ড (ক্যারিয়ার-গ্রেড NAT) ঠিকানা",
        )
    if address.is_reserved:
        return "a reserved address", "সংরক্ষিত ঠিকানা"
    if address.is_private:
        return "a private network address", "প্রাইভেট নেটওয়ার্কের ঠিকানা"
    if not address.is_global:
        return "not a public internet address", "ইন্টারনেটের পাবলিক ঠিকানা নয়"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, NAT64, 6to4 or Teredo address leads to."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _allowlist(entries: list[str]) -> tuple[set[str], list[IPNetwork]]:
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            names.add(entry.strip().lower().rstrip("."))
    return names, networks


def _split(url: str, *, development: bool) -> tuple[SplitResult, str, int]:
    """The URL's parts, its host (lower case, no brackets) and port, or why it is refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnusableUrl(error=exc) from exc
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if development else ("https",)
    if scheme not in allowed:
        raise NotHttps()
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UserInfoInUrl()
    host = (parts.hostname or "").rstrip(".")
    if not host or not (_is_address(host) or set(host) <= set(_HOST_NAME)):
        raise NoHost()
    return parts, host, port or DEFAULT_PORTS[scheme]


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an address literal is itself), with a timeout."""
    if _is_address(host):
        return [ipaddress.ip_address(host)]
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # an IPv6 sockaddr may carry a zone ("fe80::1%eth0"); the address is before it
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


async def check_webhook_url(url: str) -> Target:
    """The checked target of a webhook URL, or `UnsafeWebhookUrl` (422 naming `url`): https
    outside development, no user info, and every address the host resolves to public unless
    `WEBHOOK_ALLOWED_HOSTS` names the host or the address."""
    settings = get_settings()
    parts, host, port = _split(url, development=settings.environment == "development")
    try:
        addresses = await resolve(host, port)
    except TimeoutError as exc:
        raise SlowResolve(host=host, seconds=RESOLVE_TIMEOUT_SECONDS) from exc
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        raise NoAddress(host=host) from exc
    if not addresses:
        raise NoAddress(host=host)
    names, networks = _allowlist(settings.webhook_allowed_hosts)
    if host not in names:
        for address in addresses:
            problem = address_problem(address)
            if problem is not None and not any(address in network for network in networks):
                why, why_bn = problem
                if _is_address(host):
                    raise NonPublicAddress(address=address, why=why, why_bn=why_bn)
                raise NonPublicHost(host=host, address=address, why=why, why_bn=why_bn)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(
        scheme=parts.scheme.lower(),
        host=host,
        port=port,
        address=addresses[0],
        host_header=parts.netloc,
        path=path,
    )
