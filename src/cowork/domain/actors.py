"""Who is acting: a facilitator (user) or a participant of one workshop."""

from dataclasses import dataclass

from cowork.domain.errors import NotAllowed
from cowork.domain.models import Participant, User, Workshop


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    is_admin: bool = False
    participant_id: int | None = None
    workshop_id: int | None = None  # a participant's only workshop
    group: str | None = None

    @classmethod
    def of_user(cls, user: User) -> "Actor":
        return cls(user_id=user.id, is_admin=user.is_admin)

    @classmethod
    def of_participant(cls, participant: Participant) -> "Actor":
        return cls(
            participant_id=participant.id, workshop_id=participant.workshop_id, group=participant.group
        )

    @property
    def is_participant(self) -> bool:
        return self.participant_id is not None

    @property
    def key(self) -> str:
        """Scope of client-made command ids."""
        return f"p:{self.participant_id}" if self.is_participant else f"u:{self.user_id}"

    def may_facilitate(self, workshop: Workshop) -> bool:
        return self.user_id is not None and (self.is_admin or workshop.owner_id == self.user_id)

    def check_facilitator(self, workshop: Workshop) -> None:
        if not self.may_facilitate(workshop):
            raise NotAllowed("Only the workshop's facilitators may do this.")

    def check_member(self, workshop: Workshop) -> None:
        """A participant acts only in their own workshop; a facilitator only in theirs."""
        if self.is_participant:
            if self.workshop_id != workshop.id:
                raise NotAllowed("You joined another workshop; please join this one first.")
        else:
            self.check_facilitator(workshop)
