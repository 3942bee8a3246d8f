"""Short-lived signed tickets that let a signed-in facilitator's page open its live socket."""

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

TICKET_MAX_AGE = 24 * 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="cowork.live-ticket")


@dataclass(frozen=True)
class Ticket:
    user_id: int
    screen: bool  # opened by a projector page: the big screen may moderate, but must show nothing private


def make_ticket(secret_key: str, *, user_id: int, screen: bool = False) -> str:
    return "t." + _serializer(secret_key).dumps({"u": user_id, "s": int(screen)})


def read_ticket(secret_key: str, ticket: str) -> Ticket | None:
    if not ticket.startswith("t."):
        return None
    try:
        data = _serializer(secret_key).loads(ticket[2:], max_age=TICKET_MAX_AGE)
    except BadSignature:
        return None
    return Ticket(int(data["u"]), bool(data.get("s")))
