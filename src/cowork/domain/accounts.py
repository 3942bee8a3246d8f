"""Facilitator accounts, API tokens and the secrets both kinds of caller present."""

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from cowork.domain.errors import Conflict, Invalid, NotAllowed, NotFound
from cowork.domain.models import ApiToken, User
from cowork.domain.text import check_storable

_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def new_secret() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Tokens are high-entropy, so a plain SHA-256 is enough to keep them unusable if the DB leaks."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _email(email: str) -> str:
    """An address as accounts keep it; one typed on a command line may hold bytes no database stores."""
    check_storable(email, "email")
    return email.strip().lower()


def create_user(session: Session, *, email: str, password: str | None, is_admin: bool = False) -> User:
    email = _email(email)
    if password is not None:
        check_storable(password, "password")
    if not _EMAIL.match(email):
        raise Invalid("Please give a valid email address.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise Invalid("The password needs at least {limit} characters.", limit=MIN_PASSWORD)
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict("There is already an account for {email}.", email=email)
    user = User(email=email, is_admin=is_admin, password_hash=_hasher.hash(password) if password else None)
    session.add(user)
    session.flush()
    return user


def has_accounts(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


def create_first_account(session: Session, *, email: str, password: str) -> User:
    """The first facilitator (an admin), made in the browser with the setup link; never a second one."""
    if has_accounts(session):
        raise NotFound("An account exists already: sign in, or ask its owner for one.")
    return create_user(session, email=email, password=password, is_admin=True)


def authenticate(session: Session, *, email: str, password: str) -> User:
    user = session.exec(select(User).where(User.email == _email(email))).first()
    try:
        if user is None or user.password_hash is None:
            raise VerificationError
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise NotAllowed("The email or the password is not right.") from None
    return user


def create_api_token(session: Session, *, email: str) -> str:
    """Make a token for the user and return it; only its digest is stored."""
    user = session.exec(select(User).where(User.email == _email(email))).first()
    if user is None:
        raise Invalid("There is no account for {email}.", email=email)
    token = new_secret()
    session.add(ApiToken(user_id=user.id, token_hash=digest(token)))
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(token))).first()
    return session.get(User, row.user_id) if row else None
