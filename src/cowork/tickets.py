"""Short-lived signed tickets that let a signed-in facilitator's page open its live socket."""

from itsdangerous import BadSignature, URLSafeTimedSerializer

TICKET_MAX_AGE = 24 * 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="cowork.live-ticket")


def make_ticket(secret_key: str, *, user_id: int) -> str:
    return "t." + _serializer(secret_key).dumps({"u": user_id})


def read_ticket(secret_key: str, ticket: str) -> int | None:
    if not ticket.startswith("t."):
        return None
    try:
        data = _serializer(secret_key).loads(ticket[2:], max_age=TICKET_MAX_AGE)
    except BadSignature:
        return None
    return int(data["u"])
