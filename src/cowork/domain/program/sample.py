"""A sample workshop to try every screen before the day (Mentimeter's and Slido's sample deck).

A Co-Working Lab (seed 000) in the facilitator's language, with four participants who write in English,
German and Spanish: cards on the needs board (two clusters), stakeholders they rated, and two proposals
under an open vote with some ballots. Everything is made through the same domain functions as in a real
workshop, so the record holds real events; the workshop is marked as a sample (`Workshop.is_sample`,
`"sample": true` in its `workshop.created`) and never counts with real ones.
"""

from typing import Any

from cowork.domain.actions.proposals import draft_proposal
from cowork.domain.actors import Actor
from cowork.domain.board.cards import add_card
from cowork.domain.board.moderation import merge_cards
from cowork.domain.models import Workshop
from cowork.domain.participants import join_workshop
from cowork.domain.record import Tx
from cowork.domain.stakeholders.ratings import rate_stakeholder
from cowork.domain.stakeholders.registry import propose_stakeholder
from cowork.domain.votes.ballots import cast_ballot
from cowork.domain.votes.polls import open_poll, options_of
from cowork.domain.votes.setup import create_poll
from cowork.domain.workshops import create_workshop, set_current_stage, stages_of

FORMAT = "co-working-lab"
TITLE = {
    "en": "Sample: Co-Working Lab",
    "de": "Beispiel: Co-Working Lab",
    "es": "Ejemplo: Co-Working Lab",
}
# name, language, stakeholder group
PEOPLE = (
    ("Amira", "en", "guidance"),
    ("Jonas", "de", "employer"),
    ("Lucía", "es", "training"),
    ("Mehmet", "de", "job_centre"),
)
# author (index into PEOPLE), text in the author's language, category, card kind, phase, cluster (index)
CARDS = (
    (0, "Nobody helps with the flat search after release.", "housing", "missing", "p3", 0),
    (1, "Die Wohnungssuche nach der Entlassung dauert Monate.", "housing", "now", "p3", 0),
    (2, "Faltan cursos de alemán con cuidado infantil.", "education", "missing", "p2", 1),
    (3, "Sprachkurse nur vormittags: passt nicht zur Schichtarbeit.", "education", "now", "p2", 1),
    (0, "Employers do not know whom to call with questions.", "job_matching", "missing", "p3", None),
    (
        2,
        "Una persona de referencia desde el perfilado hasta el empleo.",
        "job_matching",
        "missing",
        "p1",
        None,
    ),
)
CLUSTERS = (
    {"en": "Housing after release", "de": "Wohnen nach der Entlassung", "es": "Vivienda tras la salida"},
    {"en": "Language courses that fit", "de": "Sprachkurse, die passen", "es": "Cursos de idiomas a medida"},
)
# name, family, level, role; then (influence, interest) as each person rates it
STAKEHOLDERS = (
    (
        {"en": "Jobcenter Offenbach"},
        "job_centre",
        "operational",
        "matching",
        ((5, 4), (4, 4), (5, 5), (4, 3)),
    ),
    (
        {
            "en": "Regional employers' network",
            "de": "Arbeitgebernetzwerk der Region",
            "es": "Red de empresas",
        },
        "employer",
        "management",
        "learning_arena",
        ((4, 2), (4, 3), (3, 2), (4, 2)),
    ),
    (
        {"en": "Probation service", "de": "Bewährungshilfe", "es": "Servicio de libertad condicional"},
        "welfare",
        "operational",
        "inclusion",
        ((2, 5), (3, 4), (2, 5), (2, 4)),
    ),
    (
        {"en": "District council", "de": "Kreistag", "es": "Consejo comarcal"},
        "policy",
        "political",
        None,
        ((5, 2), (5, 1), (4, 2), (5, 2)),
    ),
)
PROPOSALS = (
    {
        "title": {
            "en": "One contact person from release to the first job",
            "de": "Eine Ansprechperson von der Entlassung bis zum ersten Job",
            "es": "Una persona de contacto desde la salida hasta el primer empleo",
        },
        "owner": {"en": "Jobcenter Offenbach"},
        "impact": {
            "en": "Fewer people drop out between release and work.",
            "de": "Weniger Menschen gehen zwischen Entlassung und Arbeit verloren.",
            "es": "Menos personas abandonan entre la salida y el empleo.",
        },
    },
    {
        "title": {
            "en": "Evening language courses with childcare",
            "de": "Abendsprachkurse mit Kinderbetreuung",
            "es": "Cursos de idiomas por la tarde con cuidado infantil",
        },
        "owner": {
            "en": "Regional employers' network",
            "de": "Arbeitgebernetzwerk der Region",
            "es": "Red de empresas",
        },
        "impact": {
            "en": "Parents and shift workers can learn German.",
            "de": "Eltern und Schichtarbeitende können Deutsch lernen.",
            "es": "Madres, padres y personas con turnos pueden aprender alemán.",
        },
    },
)
# Each voter's yes / no / abstain on the two proposals; the fourth person has not voted yet.
BALLOTS = (("yes", "yes"), ("yes", "abstain"), ("yes", "no"))


def _in(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts["en"]


def create_sample_workshop(tx: Tx, *, actor: Actor, language: str = "en") -> Workshop:
    """A filled-in Co-Working Lab to try the console, projector and phones with; deleting it is one step."""
    workshop = create_workshop(
        tx,
        actor=actor,
        title=TITLE.get(language, TITLE["en"]),
        format_id=FORMAT,
        language=language,
        sample=True,
    )
    assert workshop.id is not None
    stage = {s.kind: s.id for s in reversed(stages_of(tx.session, workshop_id=workshop.id))}
    people = [
        Actor.of_participant(join_workshop(tx, code=workshop.code, name=name, group=group, language=lang)[0])
        for name, lang, group in PEOPLE
    ]
    _fill_board(tx, actor, workshop, people, stage["needs"], language)
    _map_stakeholders(tx, actor, workshop, people, stage["stakeholders"], language)
    _vote_on_proposals(tx, actor, workshop, people, stage["action_plan"], language)
    set_current_stage(tx, actor=actor, workshop_id=workshop.id, stage_id=stage["needs"])
    return workshop


def _fill_board(
    tx: Tx, actor: Actor, workshop: Workshop, people: list[Actor], stage_id: Any, lang: str
) -> None:
    set_current_stage(tx, actor=actor, workshop_id=workshop.id, stage_id=stage_id)  # type: ignore[arg-type]
    clusters: dict[int, list[int]] = {}
    for author, text, category, kind, phase, cluster in CARDS:
        card = add_card(
            tx,
            actor=people[author],
            stage_id=stage_id,
            text=text,
            category=category,
            language=PEOPLE[author][1],
            card_kind=kind,
            phase=phase,
        )
        if cluster is not None:
            clusters.setdefault(cluster, []).append(card.id)  # type: ignore[arg-type]
    for index, card_ids in sorted(clusters.items()):
        merge_cards(tx, actor=actor, stage_id=stage_id, card_ids=card_ids, title=_in(CLUSTERS[index], lang))


def _map_stakeholders(
    tx: Tx, actor: Actor, workshop: Workshop, people: list[Actor], stage_id: Any, lang: str
) -> None:
    set_current_stage(tx, actor=actor, workshop_id=workshop.id, stage_id=stage_id)  # type: ignore[arg-type]
    for name, family, level, role, ratings in STAKEHOLDERS:
        stakeholder, _ = propose_stakeholder(
            tx, actor=actor, stage_id=stage_id, name=_in(name, lang), family=family, level=level, role=role
        )
        for person, (influence, interest) in zip(people, ratings, strict=True):
            rate_stakeholder(
                tx, actor=person, stakeholder_id=stakeholder.id, influence=influence, interest=interest
            )


def _vote_on_proposals(
    tx: Tx, actor: Actor, workshop: Workshop, people: list[Actor], stage_id: Any, lang: str
) -> None:
    set_current_stage(tx, actor=actor, workshop_id=workshop.id, stage_id=stage_id)  # type: ignore[arg-type]
    proposals = [
        draft_proposal(
            tx,
            actor=actor,
            stage_id=stage_id,
            title=_in(p["title"], lang),
            owner=_in(p["owner"], lang),
            impact=_in(p["impact"], lang),
        )
        for p in PROPOSALS
    ]
    poll = create_poll(
        tx,
        actor=actor,
        stage_id=stage_id,
        method="yes_no_abstain",
        options=[{"proposal_id": p.id} for p in proposals],
    )
    open_poll(tx, actor=actor, poll_id=poll.id)  # type: ignore[arg-type]
    options = [o.id for o in options_of(tx.session, poll_id=poll.id)]  # type: ignore[arg-type]
    for person, answers in zip(people, BALLOTS, strict=False):
        cast_ballot(tx, actor=person, poll_id=poll.id, choices=dict(zip(options, answers, strict=True)))  # type: ignore[arg-type]
