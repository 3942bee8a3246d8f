"""Round table 2: who is involved, where the group places them, and who does what for which target group."""

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import func, select

from cowork.commands import run_query
from cowork.db import read_session
from cowork.domain import workshops
from cowork.domain.errors import Closed, Conflict, Invalid, NotAllowed
from cowork.domain.models import Event
from cowork.domain.stakeholders import activity_areas, interface_document, matrix
from cowork.domain.stakeholders import map as stakeholder_map
from cowork.domain.stakeholders import merges as stakeholder_merges
from cowork.domain.stakeholders import names as stakeholder_names
from cowork.domain.stakeholders import ratings as stakeholder_ratings
from cowork.domain.stakeholders import registry as sh
from cowork.domain.stakeholders.models import Rating, ResponsibilityCell, Stakeholder
from tests.conftest import World, make_facilitator, run


@dataclass
class Region:
    """A regional workshop (seed 002) standing at its stakeholder stage, with the matrix stage after it."""

    world: World
    map_stage: int
    matrix_stage: int

    @property
    def engine(self) -> Engine:
        return self.world.engine

    @property
    def facilitator(self) -> Any:
        return self.world.facilitator

    @property
    def workshop_id(self) -> int:
        return self.world.workshop.id

    def participant(self, name: str = "Ana") -> Any:
        participant, token = self.world.join(name=name, group="job_centre")
        return self.world.participant_actor(participant), token

    def propose(
        self, actor: Any, name: str, family: str = "job_centre", **kw: Any
    ) -> tuple[Stakeholder, bool]:
        return run(
            self.engine,
            sh.propose_stakeholder,
            actor=actor,
            stage_id=self.map_stage,
            name=name,
            family=family,
            **kw,
        )

    def rate(
        self, actor: Any, stakeholder: Stakeholder, influence: Any, interest: Any
    ) -> tuple[Rating, bool]:
        return run(
            self.engine,
            stakeholder_ratings.rate_stakeholder,
            actor=actor,
            stakeholder_id=stakeholder.id,
            influence=influence,
            interest=interest,
        )

    def listed(self, include_contact: bool = True) -> list[dict[str, Any]]:
        return run_query(
            self.engine,
            stakeholder_map.list_stakeholders,
            workshop_id=self.workshop_id,
            include_contact=include_contact,
        )

    def matrix(self) -> dict[str, Any]:
        return run_query(self.engine, matrix.responsibility_matrix, workshop_id=self.workshop_id)

    def cell(
        self, activity: str, stakeholder: Stakeholder, mark: str | None, groups: list[str] | None = None
    ) -> Any:
        return run(
            self.engine,
            matrix.set_cell,
            actor=self.facilitator,
            workshop_id=self.workshop_id,
            activity_id=activity,
            stakeholder_id=stakeholder.id,
            mark=mark,
            target_groups=groups,
        )

    def events(self, type_: str) -> list[Event]:
        with read_session(self.engine) as session:
            query = select(Event).where(Event.workshop_id == self.workshop_id, Event.type == type_)
            return list(session.exec(query))

    def count(self, table: Any) -> int:
        with read_session(self.engine) as session:
            return session.exec(select(func.count()).select_from(table)).one()


def make_region(world: World, language: str = "en") -> Region:
    workshop = run(
        world.engine,
        workshops.create_workshop,
        actor=world.facilitator,
        title="Regional workshop Leipzig",
        format_id="regional-workshop",
        language=language,
    )
    stages = run_query(world.engine, workshops.stages_of, workshop_id=workshop.id)
    mapping = [s for s in stages if s.kind == "stakeholders"]
    run(
        world.engine,
        workshops.set_current_stage,
        actor=world.facilitator,
        workshop_id=workshop.id,
        stage_id=mapping[0].id,
    )
    workshop = run_query(world.engine, workshops.get_workshop, workshop_id=workshop.id)
    return Region(
        World(world.engine, world.facilitator, world.api_token, workshop), mapping[0].id, mapping[1].id
    )


@pytest.fixture
def region(world: World) -> Region:
    return make_region(world)


CONTACT = {"person": "Anja Stephan", "email": "stephan@example.org", "phone": "+49 351 4161345"}


# --- proposing ------------------------------------------------------------------------------------------


def test_the_same_name_again_is_offered_as_the_first_stakeholder_not_doubled(region: Region) -> None:
    ana, _ = region.participant("Ana")
    ben, _ = region.participant("Ben")
    first, duplicate = region.propose(ana, "Job Center  Offenbach")
    assert not duplicate and first.name == "Job Center Offenbach"
    again, duplicate = region.propose(ben, "jobcenter offenbach", family="welfare")
    assert duplicate and again.id == first.id
    assert [s["name"] for s in region.listed()] == ["Job Center Offenbach"]
    assert len(region.events("stakeholder.proposed")) == 1


def test_two_phones_proposing_one_name_at_once_make_one_stakeholder(region: Region) -> None:
    actors = [region.participant(f"P{i}")[0] for i in range(6)]
    names = ["Ausländerbehörde", "ausländerbehörde", "AUSLÄNDER BEHÖRDE", "Ausländer-Behörde"] * 2
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(lambda pair: region.propose(pair[0], pair[1]), zip(actors, names, strict=False))
        )
    assert len({stakeholder.id for stakeholder, _ in results}) == 1
    assert sum(not duplicate for _, duplicate in results) == 1
    assert region.count(Stakeholder) == 1


def test_a_retried_proposal_with_its_client_id_stores_nothing_new(region: Region) -> None:
    ana, _ = region.participant()
    first, _ = region.propose(ana, "Volkshochschule", family="training", client_id="abc-1")
    again, duplicate = region.propose(ana, "Volkshochschule", family="training", client_id="abc-1")
    assert again.id == first.id and not duplicate
    assert len(region.events("stakeholder.proposed")) == 1


def test_contact_details_without_consent_are_refused_and_nothing_is_stored(region: Region) -> None:
    ana, _ = region.participant()
    with pytest.raises(Invalid, match="personal data"):
        region.propose(ana, "Sozialamt", family="policy", contact=CONTACT)
    with pytest.raises(Invalid, match="personal data"):
        region.propose(ana, "Sozialamt", family="policy", contact={"email": "x@example.org"}, consent=False)
    assert region.count(Stakeholder) == 0 and region.events("stakeholder.proposed") == []


def test_contact_details_with_consent_are_kept_for_facilitators_only(region: Region) -> None:
    ana, _ = region.participant()
    stakeholder, _ = region.propose(
        ana, "Migrationsberatung", family="welfare", contact=CONTACT, consent=True
    )
    assert stakeholder.contact_consent_at is not None
    staff = region.listed(include_contact=True)[0]
    public = region.listed(include_contact=False)[0]
    assert staff["contact"] == CONTACT
    assert "contact" not in public and public["has_contact"] is True
    listed_for_participant = run_query(
        region.engine, sh.stakeholders_of_stage, actor=ana, stage_id=region.map_stage
    )
    assert "contact" not in listed_for_participant[0]


@pytest.mark.parametrize(
    ("contact", "reason"),
    [
        ({"email": "stephan@example.org"}, "name the contact person"),
        ({"person": "Anja", "email": "not an address"}, "not an email address"),
        ({"person": "Anja", "phone": "call me maybe"}, "phone number"),
    ],
)
def test_contact_details_must_make_sense(region: Region, contact: dict[str, str], reason: str) -> None:
    ana, _ = region.participant()
    with pytest.raises(Invalid, match=reason):
        region.propose(ana, "BAMF", family="policy", contact=contact, consent=True)
    assert region.count(Stakeholder) == 0


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("family", "aliens", "Unknown stakeholder family aliens"),
        ("family", "", "choose the stakeholder's family"),
        ("level", "galactic", "Unknown level galactic"),
        ("role", "boss", "Unknown role boss"),
        ("name", "   ", "give the stakeholder a name"),
        ("name", "x" * 121, "name is too long"),
    ],
)
def test_unknown_families_levels_and_roles_are_refused(
    region: Region, field: str, value: str, reason: str
) -> None:
    ana, _ = region.participant()
    given = {"name": "Kammer", "family": "guidance", field: value}
    with pytest.raises(Invalid, match=reason):
        run(region.engine, sh.propose_stakeholder, actor=ana, stage_id=region.map_stage, **given)
    assert region.count(Stakeholder) == 0


def test_participants_propose_only_while_the_stakeholder_stage_is_on(region: Region) -> None:
    ana, _ = region.participant()
    with pytest.raises(Closed):
        run(
            region.engine,
            sh.propose_stakeholder,
            actor=ana,
            stage_id=region.matrix_stage,
            name="x",
            family="employer",
        )
    # The facilitator prepares the map of any stakeholder stage at any time.
    added, _ = run(
        region.engine,
        sh.propose_stakeholder,
        actor=region.facilitator,
        stage_id=region.matrix_stage,
        name="Handwerkskammer",
        family="guidance",
        level="management",
        role="matching",
    )
    assert added.author_user_id == region.facilitator.user_id


def test_a_facilitator_of_another_workshop_may_not_touch_this_map(region: Region) -> None:
    stranger, _ = make_facilitator(region.engine, email="other@example.org")
    with pytest.raises(NotAllowed):
        run(
            region.engine,
            sh.propose_stakeholder,
            actor=stranger,
            stage_id=region.map_stage,
            name="x",
            family="employer",
        )


# --- rating ---------------------------------------------------------------------------------------------


def test_a_new_rating_replaces_the_earlier_one(region: Region) -> None:
    ana, _ = region.participant()
    stakeholder, _ = region.propose(ana, "Jobcenter")
    _, replaced = region.rate(ana, stakeholder, 2, 2)
    assert not replaced
    _, replaced = region.rate(ana, stakeholder, 5, 4)
    assert replaced
    listed = region.listed()[0]
    assert (listed["ratings"], listed["influence"], listed["interest"]) == (1, 5.0, 4.0)
    assert region.count(Rating) == 1
    events = region.events("stakeholder.rating_set")
    assert [e.data["rating"]["replaced"] for e in events] == [False, True]


def test_the_grid_shows_the_means_and_the_spread_of_all_ratings(region: Region) -> None:
    raters = [region.participant(name)[0] for name in ("Ana", "Ben", "Cem", "Dana")]
    stakeholder, _ = region.propose(raters[0], "Agentur für Arbeit")
    for actor, (influence, interest) in zip(raters, [(5, 1), (4, 2), (4, 3), (3, 2)], strict=True):
        region.rate(actor, stakeholder, influence, interest)
    listed = region.listed()[0]
    assert (listed["ratings"], listed["influence"], listed["interest"]) == (4, 4.0, 2.0)
    assert listed["spread"]["influence"] == {"sd": 0.71, "min": 3, "max": 5}
    assert listed["spread"]["interest"] == {"sd": 0.71, "min": 1, "max": 3}
    assert listed["position"] == {"influence": 4.0, "interest": 2.0}


@pytest.mark.parametrize(
    ("influence", "interest"), [(0, 3), (6, 3), (3, 9), (2.5, 3), ("4", 3), (True, 3), (None, 3)]
)
def test_a_rating_outside_one_to_five_is_refused_and_nothing_counts(
    region: Region, influence: Any, interest: Any
) -> None:
    ana, _ = region.participant()
    stakeholder, _ = region.propose(ana, "Jobcenter")
    with pytest.raises(Invalid, match="whole number from 1 to 5"):
        region.rate(ana, stakeholder, influence, interest)
    assert region.count(Rating) == 0


def test_facilitators_pin_instead_of_rating(region: Region) -> None:
    ana, _ = region.participant()
    stakeholder, _ = region.propose(ana, "Jobcenter")
    with pytest.raises(NotAllowed, match="pin a position"):
        region.rate(region.facilitator, stakeholder, 3, 3)


def test_ratings_stop_when_the_workshop_moves_past_the_stakeholder_stages(region: Region) -> None:
    ana, _ = region.participant()
    stakeholder, _ = region.propose(ana, "Jobcenter")
    stages = run_query(region.engine, workshops.stages_of, workshop_id=region.workshop_id)
    later = next(s for s in stages if s.kind == "action_plan")
    run(
        region.engine,
        workshops.set_current_stage,
        actor=region.facilitator,
        workshop_id=region.workshop_id,
        stage_id=later.id,
    )
    with pytest.raises(Closed):
        region.rate(ana, stakeholder, 3, 3)


def test_one_participant_rating_twice_at_once_keeps_one_rating(region: Region) -> None:
    ana, _ = region.participant()
    stakeholder, _ = region.propose(ana, "Jobcenter")
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: region.rate(ana, stakeholder, n, n), [1, 2, 3, 4]))
    assert region.count(Rating) == 1


# --- pinning and merging --------------------------------------------------------------------------------


def test_the_facilitator_pins_a_position_and_unpins_it(region: Region) -> None:
    ana, _ = region.participant()
    stakeholder, _ = region.propose(ana, "Ministry of Education")
    region.rate(ana, stakeholder, 2, 2)
    run(
        region.engine,
        stakeholder_ratings.pin_stakeholder,
        actor=region.facilitator,
        stakeholder_id=stakeholder.id,
        influence=4.5,
        interest=1,
    )
    listed = region.listed()[0]
    assert listed["pinned"] == {"influence": 4.5, "interest": 1.0}
    assert listed["position"] == listed["pinned"] and listed["influence"] == 2.0
    run(
        region.engine,
        stakeholder_ratings.pin_stakeholder,
        actor=region.facilitator,
        stakeholder_id=stakeholder.id,
    )
    listed = region.listed()[0]
    assert listed["pinned"] is None and listed["position"] == {"influence": 2.0, "interest": 2.0}
    assert len(region.events("stakeholder.pinned")) == 2
    with pytest.raises(Invalid, match="from 1 to 5"):
        run(
            region.engine,
            stakeholder_ratings.pin_stakeholder,
            actor=region.facilitator,
            stakeholder_id=stakeholder.id,
            influence=7,
            interest=1,
        )
    with pytest.raises(NotAllowed):
        run(
            region.engine,
            stakeholder_ratings.pin_stakeholder,
            actor=ana,
            stakeholder_id=stakeholder.id,
            influence=3,
            interest=3,
        )


def test_merging_moves_ratings_cells_and_contact_to_the_one_kept(region: Region) -> None:
    ana, _ = region.participant("Ana")
    ben, _ = region.participant("Ben")
    keep, _ = region.propose(ana, "Jobcenter Leipzig")
    drop, _ = region.propose(ben, "JC Leipzig", contact=CONTACT, consent=True, tasks="Placement")
    region.rate(ana, keep, 2, 2)
    region.rate(ben, drop, 4, 4)
    region.rate(ana, drop, 5, 5)  # Ana rated both: her newer rating stays
    region.cell("language", keep, "contributes", ["asylum_seekers"])
    region.cell("language", drop, "responsible", ["recent_immigrants"])
    region.cell("placement", drop, "informed")

    kept = run(
        region.engine,
        stakeholder_merges.merge_stakeholders,
        actor=region.facilitator,
        stakeholder_id=drop.id,
        into_id=keep.id,
    )

    assert kept.id == keep.id
    listed = region.listed()
    assert [s["name"] for s in listed] == ["Jobcenter Leipzig"]
    assert (listed[0]["ratings"], listed[0]["influence"]) == (2, 4.5)  # Ben's 4 and Ana's newer 5
    assert listed[0]["contact"] == CONTACT and listed[0]["tasks"] == "Placement"
    cells = {c["activity_id"]: c for c in region.matrix()["cells"]}
    assert cells["language"] == {
        "activity_id": "language",
        "stakeholder_id": keep.id,
        "mark": "responsible",
        "target_groups": ["asylum_seekers", "recent_immigrants"],
    }
    assert cells["placement"]["stakeholder_id"] == keep.id
    assert region.count(Rating) == 2 and region.count(ResponsibilityCell) == 2
    # The merged name now leads to the kept one.
    again, duplicate = region.propose(ana, "jc leipzig")
    assert duplicate and again.id == keep.id
    with pytest.raises(Invalid, match="already one"):
        run(
            region.engine,
            stakeholder_merges.merge_stakeholders,
            actor=region.facilitator,
            stakeholder_id=drop.id,
            into_id=keep.id,
        )


def test_likely_duplicates_are_pointed_out_to_the_facilitator(region: Region) -> None:
    ana, _ = region.participant()
    region.propose(ana, "Jobcenter")
    region.propose(ana, "Jobcenter Offenbach")
    region.propose(ana, "Volkshochschule", family="training")
    similar = stakeholder_names.likely_duplicates(region.listed())
    names = {item["name"] for items in similar.values() for item in items}
    assert names == {"Jobcenter", "Jobcenter Offenbach"}
    proposed = region.events("stakeholder.proposed")
    assert proposed[1].data["similar"] == [{"id": proposed[0].data["id"], "name": "Jobcenter"}]


def test_a_facilitator_corrects_a_stakeholder_and_may_erase_its_contact(region: Region) -> None:
    ana, _ = region.participant()
    stakeholder, _ = region.propose(ana, "Jobcentre", contact=CONTACT, consent=True)
    other, _ = region.propose(ana, "Sozialamt", family="policy")
    run(
        region.engine,
        sh.update_stakeholder,
        actor=region.facilitator,
        stakeholder_id=stakeholder.id,
        name="Jobcenter Leipzig",
        level="operational",
    )
    with pytest.raises(Conflict, match="merge"):
        run(
            region.engine,
            sh.update_stakeholder,
            actor=region.facilitator,
            stakeholder_id=other.id,
            name="JOBCENTER leipzig",
        )
    run(
        region.engine,
        sh.update_stakeholder,
        actor=region.facilitator,
        stakeholder_id=stakeholder.id,
        contact=None,
    )
    listed = region.listed()[0]
    assert (listed["name"], listed["level"], listed["contact"]) == ("Jobcenter Leipzig", "operational", None)
    with pytest.raises(NotAllowed):
        run(region.engine, sh.update_stakeholder, actor=ana, stakeholder_id=stakeholder.id, name="Mine")


# --- the responsibility matrix ----------------------------------------------------------------------------


def test_the_matrix_rows_come_from_the_format_and_can_be_changed(region: Region) -> None:
    rows = [row["id"] for row in region.matrix()["activities"]]
    assert rows == ["residence", "language", "recognition", "counselling", "placement", "livelihood"]
    added = run(
        region.engine,
        activity_areas.add_activity,
        actor=region.facilitator,
        workshop_id=region.workshop_id,
        label="Debt counselling",
    )
    run(
        region.engine,
        activity_areas.rename_activity,
        actor=region.facilitator,
        workshop_id=region.workshop_id,
        activity_id="language",
        label="German courses",
    )
    run(
        region.engine,
        activity_areas.remove_activity,
        actor=region.facilitator,
        workshop_id=region.workshop_id,
        activity_id="livelihood",
    )
    rows = region.matrix()["activities"]
    assert [row["id"] for row in rows] == [
        "residence",
        "language",
        "recognition",
        "counselling",
        "placement",
        added["id"],
    ]
    assert rows[1]["label"]["de"] == "German courses" and rows[-1]["label"]["es"] == "Debt counselling"
    with pytest.raises(Invalid, match="name the activity area"):
        run(
            region.engine,
            activity_areas.add_activity,
            actor=region.facilitator,
            workshop_id=region.workshop_id,
            label="  ",
        )


def test_a_workshop_without_its_own_rows_gets_the_default_activity_areas(world: World) -> None:
    rows = [
        row["id"]
        for row in run_query(world.engine, matrix.responsibility_matrix, workshop_id=world.workshop.id)[
            "activities"
        ]
    ]
    assert rows[:3] == ["profiling", "language_courses", "recognition"] and "legal_advice" in rows
    groups = run_query(world.engine, matrix.target_groups_of, workshop_id=world.workshop.id)
    assert [g["key"] for g in groups] == [
        "refugees",
        "long_term_unemployed",
        "former_inmates",
        "young_without_qualifications",
    ]


def test_the_matrix_shows_rows_with_nobody_or_several_responsible(region: Region) -> None:
    ana, _ = region.participant()
    jobcenter, _ = region.propose(ana, "Jobcenter")
    agency, _ = region.propose(ana, "Agentur für Arbeit")
    bamf, _ = region.propose(ana, "BAMF", family="policy")
    region.cell("language", bamf, "responsible")
    region.cell("placement", jobcenter, "responsible", ["recognised_refugees"])
    region.cell("placement", agency, "responsible", ["asylum_seekers"])  # different groups: no clash
    region.cell("counselling", jobcenter, "responsible")
    region.cell("counselling", agency, "responsible", ["tolerated"])  # both cover tolerated persons
    region.cell("recognition", agency, "contributes")

    gaps = {gap["activity_id"]: gap for gap in region.matrix()["gaps"]}
    assert set(gaps) == {"residence", "recognition", "livelihood", "counselling"}
    assert gaps["recognition"]["kind"] == "nobody_responsible"
    assert gaps["counselling"]["kind"] == "several_responsible"
    assert gaps["counselling"]["stakeholder_ids"] == [jobcenter.id, agency.id]
    assert gaps["counselling"]["target_groups"] == ["tolerated"]
    # Emptying a cell brings the row's gap back.
    region.cell("language", bamf, None)
    assert "language" in {gap["activity_id"] for gap in region.matrix()["gaps"]}


def test_bad_cells_are_refused_and_nothing_is_stored(region: Region, engine: Engine) -> None:
    ana, _ = region.participant()
    ours, _ = region.propose(ana, "Jobcenter")
    other = make_region(World(engine, region.facilitator, region.world.api_token, region.world.workshop))
    theirs, _ = other.propose(ana if False else other.participant()[0], "Fremdes Jobcenter")
    with pytest.raises(Invalid, match="not on this workshop's map"):
        region.cell("language", theirs, "responsible")
    with pytest.raises(Invalid, match="Unknown mark"):
        region.cell("language", ours, "boss")
    with pytest.raises(Invalid, match="Unknown target group"):
        region.cell("language", ours, "responsible", ["martians"])
    with pytest.raises(Invalid, match="no activity area"):
        region.cell("astronomy", ours, "responsible")
    with pytest.raises(Invalid, match="Choose a mark"):
        region.cell("language", ours, None, ["asylum_seekers"])
    with pytest.raises(NotAllowed):
        run(
            region.engine,
            matrix.set_cell,
            actor=ana,
            workshop_id=region.workshop_id,
            activity_id="language",
            stakeholder_id=ours.id,
            mark="responsible",
        )
    assert region.count(ResponsibilityCell) == 0 and region.events("responsibility.set") == []


def test_the_interface_document_lists_who_does_what_and_consented_contacts(region: Region) -> None:
    ana, _ = region.participant()
    jobcenter, _ = region.propose(
        ana, "Jobcenter", contact=CONTACT, consent=True, tasks="Benefits and placement", level="operational"
    )
    bamf, _ = region.propose(ana, "BAMF", family="policy")
    region.cell("placement", jobcenter, "responsible", ["recognised_refugees"])
    region.cell("placement", bamf, "informed")
    document = run_query(region.engine, interface_document.interface_document, workshop_id=region.workshop_id)
    assert document["workshop"]["title"] == "Regional workshop Leipzig"
    assert document["contacts"] == [{"stakeholder_id": jobcenter.id, "name": "Jobcenter", **CONTACT}]
    by_name = {s["name"]: s for s in document["stakeholders"]}
    assert by_name["BAMF"]["contact"] is None
    assert by_name["Jobcenter"]["level_label"]["de"] == "Operative Ebene"
    placement = next(a for a in document["activities"] if a["id"] == "placement")
    assert placement["responsible"] == [
        {"stakeholder_id": jobcenter.id, "name": "Jobcenter", "target_groups": ["recognised_refugees"]}
    ]
    assert placement["informed"][0]["name"] == "BAMF" and placement["gaps"] == []
    with pytest.raises(NotAllowed):
        run_query(
            region.engine, interface_document.interface_document, workshop_id=region.workshop_id, actor=ana
        )


# --- the JSON API ---------------------------------------------------------------------------------------


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_families_levels_and_roles_come_in_the_asked_language(client: httpx.AsyncClient) -> None:
    answer = (await client.get("/api/v1/stakeholder-families?lang=de")).json()
    families = {f["key"]: f["label"] for f in answer["families"]}
    assert families["job_centre"] == "Jobcenter und Arbeitsmarktdienste"
    assert {lv["key"] for lv in answer["levels"]} == {"political", "management", "operational"}
    assert {r["key"] for r in answer["roles"]} == {"matching", "learning_arena", "training", "inclusion"}
    assert [m["symbol"] for m in answer["marks"]] == ["●", "◐", "○"]
    assert {"refugees", "former_inmates"} <= {g["key"] for g in answer["target_groups"]}
    spanish = (await client.get("/api/v1/stakeholder-families?lang=es")).json()
    assert spanish["levels"][0]["label"] == "Nivel político"
    assert (await client.get("/api/v1/stakeholder-families?lang=fr")).status_code == 422


async def test_proposing_rating_and_listing_over_the_api(client: httpx.AsyncClient, region: Region) -> None:
    _, ana = region.participant("Ana")
    _, ben = region.participant("Ben")
    url = f"/api/v1/stages/{region.map_stage}/stakeholders"
    created = await client.post(
        url,
        json={"name": "Job Center  Offenbach", "family": "job_centre", "level": "operational"},
        headers=_auth(ana),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["name"], body["duplicate_of"], body["ratings"]) == ("Job Center Offenbach", None, 0)
    again = await client.post(
        url, json={"name": "jobcenter offenbach", "family": "job_centre"}, headers=_auth(ben)
    )
    assert again.status_code == 200 and again.json()["duplicate_of"] == body["id"]

    rate_url = f"/api/v1/stakeholders/{body['id']}/ratings"
    first = await client.post(rate_url, json={"influence": 4, "interest": 2}, headers=_auth(ana))
    assert first.status_code == 201 and first.json()["replaced"] is False
    replaced = await client.post(rate_url, json={"influence": 5, "interest": 3}, headers=_auth(ana))
    assert replaced.status_code == 200 and replaced.json()["replaced"] is True
    await client.post(rate_url, json={"influence": 3, "interest": 1}, headers=_auth(ben))

    listed = (await client.get(url, headers=_auth(ana))).json()["items"]
    assert len(listed) == 1
    item = listed[0]
    assert (item["influence"], item["interest"], item["ratings"]) == (4.0, 2.0, 2)
    assert item["spread"]["influence"] == {"sd": 1.0, "min": 3, "max": 5}
    assert item["contact"] is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"name": "BAMF", "family": "aliens"}, "Unknown stakeholder family"),
        ({"name": "BAMF"}, "family"),
        ({"name": "BAMF", "family": "policy", "contact": {"person": "Anja"}}, "personal data"),
        (
            {"name": "BAMF", "family": "policy", "contact": {"person": "Anja"}, "consent": False},
            "personal data",
        ),
        ({"name": "BAMF", "family": "policy", "level": "cosmic"}, "Unknown level"),
    ],
)
async def test_bad_proposals_get_a_reason_and_store_nothing(
    client: httpx.AsyncClient, region: Region, body: dict[str, Any], reason: str
) -> None:
    _, ana = region.participant()
    refused = await client.post(
        f"/api/v1/stages/{region.map_stage}/stakeholders", json=body, headers=_auth(ana)
    )
    assert refused.status_code == 422 and reason in refused.json()["detail"]
    assert region.count(Stakeholder) == 0


@pytest.mark.parametrize(
    "rating",
    [
        {"influence": 0, "interest": 3},
        {"influence": 3, "interest": 6},
        {"influence": 2.5, "interest": 3},
        {"influence": 3},
    ],
)
async def test_bad_ratings_get_a_reason_and_count_nothing(
    client: httpx.AsyncClient, region: Region, rating: dict[str, Any]
) -> None:
    participant, ana = region.participant()
    stakeholder, _ = region.propose(participant, "Jobcenter")
    refused = await client.post(
        f"/api/v1/stakeholders/{stakeholder.id}/ratings", json=rating, headers=_auth(ana)
    )
    assert refused.status_code == 422 and refused.json()["detail"]
    assert region.count(Rating) == 0


async def test_contact_details_reach_facilitators_but_not_participants(
    client: httpx.AsyncClient, region: Region
) -> None:
    _, ana = region.participant()
    body = {"name": "Migrationsberatung", "family": "welfare", "contact": CONTACT, "consent": True}
    created = await client.post(
        f"/api/v1/stages/{region.map_stage}/stakeholders", json=body, headers=_auth(ana)
    )
    assert created.status_code == 201 and created.json()["contact"] is None and created.json()["has_contact"]
    staff = await client.get(
        f"/api/v1/stakeholders/{created.json()['id']}", headers=_auth(region.world.api_token)
    )
    assert staff.json()["contact"] == CONTACT


async def test_pinning_and_merging_over_the_api(client: httpx.AsyncClient, region: Region) -> None:
    participant, ana = region.participant()
    keep, _ = region.propose(participant, "Jobcenter")
    drop, _ = region.propose(participant, "JC")
    region.rate(participant, drop, 2, 2)
    staff = _auth(region.world.api_token)
    pinned = await client.post(
        f"/api/v1/stakeholders/{keep.id}/pin", json={"influence": 4, "interest": 5}, headers=staff
    )
    assert pinned.status_code == 200 and pinned.json()["pinned"] == {"influence": 4.0, "interest": 5.0}
    unpinned = await client.post(
        f"/api/v1/stakeholders/{keep.id}/pin",
        content="null",
        headers={**staff, "Content-Type": "application/json"},
    )
    assert unpinned.status_code == 200 and unpinned.json()["pinned"] is None
    half = await client.post(f"/api/v1/stakeholders/{keep.id}/pin", json={"influence": 4}, headers=staff)
    assert half.status_code == 422
    by_participant = await client.post(
        f"/api/v1/stakeholders/{keep.id}/pin", json={"influence": 4, "interest": 5}, headers=_auth(ana)
    )
    assert by_participant.status_code == 403
    merged = await client.post(f"/api/v1/stakeholders/{drop.id}/merge", json={"into": keep.id}, headers=staff)
    assert merged.status_code == 200 and merged.json()["id"] == keep.id and merged.json()["ratings"] == 1
    listed = (await client.get(f"/api/v1/stages/{region.map_stage}/stakeholders", headers=staff)).json()[
        "items"
    ]
    assert [s["name"] for s in listed] == ["Jobcenter"]


async def test_the_matrix_over_the_api(client: httpx.AsyncClient, region: Region) -> None:
    participant, ana = region.participant()
    jobcenter, _ = region.propose(participant, "Jobcenter")
    staff = _auth(region.world.api_token)
    url = f"/api/v1/workshops/{region.workshop_id}/responsibilities"
    read = (await client.get(url, headers=_auth(ana))).json()
    assert {"activities", "stakeholders", "cells", "gaps"} <= read.keys()
    assert len(read["gaps"]) == len(read["activities"]) == 6
    set_ = await client.put(
        f"{url}/cells",
        json={
            "activity_id": "placement",
            "stakeholder_id": jobcenter.id,
            "mark": "responsible",
            "target_groups": ["asylum_seekers"],
        },
        headers=staff,
    )
    assert set_.status_code == 200, set_.text
    assert set_.json()["cells"] == [
        {
            "activity_id": "placement",
            "stakeholder_id": jobcenter.id,
            "mark": "responsible",
            "target_groups": ["asylum_seekers"],
        }
    ]
    assert "placement" not in {g["activity_id"] for g in set_.json()["gaps"]}

    added = await client.post(
        f"/api/v1/workshops/{region.workshop_id}/activities", json={"label": "Childcare"}, headers=staff
    )
    assert added.status_code == 201 and added.json()["custom"] is True
    renamed = await client.patch(
        f"/api/v1/workshops/{region.workshop_id}/activities/{added.json()['id']}",
        json={"label": "Childcare during courses"},
        headers=staff,
    )
    assert renamed.status_code == 200 and renamed.json()["label"]["en"] == "Childcare during courses"
    removed = await client.delete(
        f"/api/v1/workshops/{region.workshop_id}/activities/residence", headers=staff
    )
    assert removed.status_code == 204
    missing = await client.delete(
        f"/api/v1/workshops/{region.workshop_id}/activities/residence", headers=staff
    )
    assert missing.status_code == 404
    rows = [a["id"] for a in (await client.get(url, headers=staff)).json()["activities"]]
    assert "residence" not in rows and added.json()["id"] in rows
    by_participant = await client.put(
        f"{url}/cells",
        json={"activity_id": "placement", "stakeholder_id": jobcenter.id, "mark": None},
        headers=_auth(ana),
    )
    assert by_participant.status_code == 403


async def test_a_cell_for_a_stakeholder_of_another_workshop_is_refused(
    client: httpx.AsyncClient, region: Region
) -> None:
    other = make_region(region.world)
    stranger, _ = other.propose(other.participant()[0], "Elsewhere")
    answer = await client.put(
        f"/api/v1/workshops/{region.workshop_id}/responsibilities/cells",
        json={"activity_id": "placement", "stakeholder_id": stranger.id, "mark": "responsible"},
        headers=_auth(region.world.api_token),
    )
    assert answer.status_code == 422 and "not on this workshop's map" in answer.json()["detail"]
    assert region.count(ResponsibilityCell) == 0


async def test_the_interface_document_over_the_api_is_for_facilitators(
    client: httpx.AsyncClient, region: Region
) -> None:
    participant, ana = region.participant()
    region.propose(participant, "Jobcenter", contact=CONTACT, consent=True)
    url = f"/api/v1/workshops/{region.workshop_id}/interface-document"
    assert (await client.get(url, headers=_auth(ana))).status_code == 403
    document = (await client.get(url, headers=_auth(region.world.api_token))).json()
    assert document["contacts"][0]["email"] == CONTACT["email"]


# --- pages without JavaScript ----------------------------------------------------------------------------


async def _joined_phone(client: httpx.AsyncClient, region: Region, name: str = "Amira") -> str:
    code = region.world.workshop.code
    joined = await client.post(f"/j/{code}", data={"name": name, "group": "beneficiary"})
    assert joined.status_code == 200
    return code


async def test_a_phone_proposes_and_rates_with_plain_forms(client: httpx.AsyncClient, region: Region) -> None:
    code = await _joined_phone(client, region)
    page = await client.get(f"/j/{code}/stage")
    assert 'name="family"' in page.text and 'id="sh-consent"' in page.text
    assert "Employment agency" in page.text  # the format's suggestions, offered in a datalist
    sent = await client.post(
        f"/j/{code}/stakeholders",
        data={
            "stage_id": str(region.map_stage),
            "name": "Volkshochschule Leipzig",
            "family": "training",
            "role": "training",
        },
    )
    assert sent.status_code == 303
    stakeholder_id = int(sent.headers["location"].rsplit("-", 1)[1])
    page = await client.get(sent.headers["location"])
    assert f'id="sh-rate-{stakeholder_id}"' in page.text and "Not rated yet" in page.text
    rated = await client.post(
        f"/j/{code}/stakeholders/{stakeholder_id}/rating", data={"influence": "2", "interest": "5"}
    )
    assert rated.status_code == 303
    page = await client.get(f"/j/{code}/stage")
    assert "Your rating: influence 2, interest 5" in page.text
    assert re.search(r'name="interest" value="5" required checked', page.text)
    assert re.search(rf'id="sh-item-{stakeholder_id}">.*influence 2\.0', page.text, re.S)


async def test_the_phone_form_refuses_contact_without_consent_visibly_and_keeps_the_input(
    client: httpx.AsyncClient, region: Region
) -> None:
    code = await _joined_phone(client, region)
    refused = await client.post(
        f"/j/{code}/stakeholders",
        data={
            "stage_id": str(region.map_stage),
            "name": "Sozialamt",
            "family": "policy",
            "contact_person": "Frau Weber",
        },
    )
    assert refused.status_code == 422
    assert "Contact details are personal data" in refused.text
    assert 'value="Sozialamt"' in refused.text and 'value="Frau Weber"' in refused.text
    assert "sh-has-values" in refused.text  # the typed contact stays visible next to the message
    assert region.count(Stakeholder) == 0
    duplicate = await client.post(
        f"/j/{code}/stakeholders",
        data={"stage_id": str(region.map_stage), "name": "Sozialamt", "family": "policy"},
    )
    assert duplicate.status_code == 303
    again = await client.post(
        f"/j/{code}/stakeholders",
        data={"stage_id": str(region.map_stage), "name": "SOZIALAMT", "family": "policy"},
    )
    assert again.status_code == 200 and "is already on the map" in again.text


async def test_a_refused_rating_is_shown_next_to_its_form(client: httpx.AsyncClient, region: Region) -> None:
    code = await _joined_phone(client, region)
    participant, _ = region.participant()
    stakeholder, _ = region.propose(participant, "Jobcenter")
    refused = await client.post(
        f"/j/{code}/stakeholders/{stakeholder.id}/rating", data={"influence": "9", "interest": "3"}
    )
    assert refused.status_code == 422
    assert re.search(
        rf'id="sh-rate-{stakeholder.id}" open>.*Influence is a whole number from 1 to 5', refused.text, re.S
    )


async def test_the_projector_draws_the_grid_with_numbers_as_text(
    client: httpx.AsyncClient, region: Region
) -> None:
    participant, _ = region.participant()
    stakeholder, _ = region.propose(participant, "Agentur für Arbeit")
    region.rate(participant, stakeholder, 5, 1)
    page = await client.get(f"/s/{region.world.workshop.projector_key}")
    assert page.status_code == 200
    assert f'id="sh-marker-{stakeholder.id}"' in page.text and "<svg" in page.text
    for quadrant in ("Keep satisfied", "Manage closely", "Monitor", "Keep informed"):
        assert quadrant in page.text
    assert "Interest" in page.text and "Influence" in page.text
    # Influence 5, interest 1: the top left corner of the plot.
    assert 'data-cx="96.0" data-cy="24.0"' in page.text
    assert re.search(rf'id="sh-row-{stakeholder.id}">.*5\.0.*1\.0', page.text, re.S)


async def _signed_in(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/login", data={"email": "fac@example.org", "password": "correct horse battery", "next": "/f"}
    )
    assert answer.status_code == 303


async def test_the_console_merges_pins_and_fills_the_matrix_with_plain_forms(
    client: httpx.AsyncClient, region: Region
) -> None:
    participant, _ = region.participant()
    keep, _ = region.propose(participant, "Jobcenter Leipzig", contact=CONTACT, consent=True)
    region.propose(participant, "Jobcenter")
    await _signed_in(client)
    console = await client.get(f"/f/w/{region.workshop_id}")
    assert console.status_code == 200
    assert "Merge into Jobcenter Leipzig" in console.text
    assert f'id="rm-cell-placement-{keep.id}"' in console.text
    assert "stephan@example.org" in console.text  # facilitators see the contact
    assert f"/f/w/{region.workshop_id}/interface-document" in console.text

    pinned = await client.post(f"/f/stakeholders/{keep.id}/pin", data={"influence": "4.5", "interest": "3"})
    assert pinned.status_code == 303
    unknown = await client.post(
        f"/f/w/{region.workshop_id}/stakeholders/merge", data={"name": "Jobcenter", "into_name": "Nobody"}
    )
    assert unknown.status_code == 422 and "No stakeholder on the map is called Nobody" in unknown.text
    merged = await client.post(
        f"/f/w/{region.workshop_id}/stakeholders/merge",
        data={"name": "jobcenter", "into_name": "jobcenter leipzig"},
    )
    assert merged.status_code == 303
    # The inside of the entry that stays, as the console refetches it after a merge pushed to it.
    entry = await client.get(f"/f/stakeholders/{keep.id}/entry")
    assert entry.status_code == 200 and CONTACT["person"] in entry.text and "Merge into" not in entry.text
    assert 'value="unpin"' in entry.text  # the pin set above
    cell = await client.post(
        f"/f/w/{region.workshop_id}/responsibilities/cells",
        data={
            "activity_id": "placement",
            "stakeholder_id": str(keep.id),
            "mark": "responsible",
            "target_groups": ["asylum_seekers", "tolerated"],
        },
    )
    assert cell.status_code == 303
    htmx_cell = await client.post(
        f"/f/w/{region.workshop_id}/responsibilities/cells",
        data={
            "activity_id": "language",
            "stakeholder_id": str(keep.id),
            "mark": "",
            "target_groups": ["asylum_seekers"],
        },
        headers={"HX-Request": "true"},
    )
    assert htmx_cell.status_code == 422 and "Choose a mark" in htmx_cell.text
    assert htmx_cell.text.lstrip().startswith(f'<td id="rm-cell-language-{keep.id}"')
    row = await client.post(f"/f/w/{region.workshop_id}/activities", data={"label": "Childcare"})
    assert row.status_code == 303
    listed = region.listed()
    assert [s["name"] for s in listed] == ["Jobcenter Leipzig"] and listed[0]["pinned"]["influence"] == 4.5
    cells = region.matrix()["cells"]
    assert cells == [
        {
            "activity_id": "placement",
            "stakeholder_id": keep.id,
            "mark": "responsible",
            "target_groups": ["asylum_seekers", "tolerated"],
        }
    ]

    document = await client.get(f"/f/w/{region.workshop_id}/interface-document")
    assert document.status_code == 200
    assert "Interface document" in document.text and "Anja Stephan" in document.text
    assert re.search(
        r"Placement into training and work.*<bdi>Jobcenter Leipzig</bdi> \(T1, T3\)", document.text, re.S
    )
    assert "Childcare" in document.text


async def test_the_edit_page_refuses_contact_without_consent_and_erases_on_request(
    client: httpx.AsyncClient, region: Region
) -> None:
    participant, _ = region.participant()
    stakeholder, _ = region.propose(participant, "Jobcenter", contact=CONTACT, consent=True)
    await _signed_in(client)
    page = await client.get(f"/f/stakeholders/{stakeholder.id}/edit")
    assert page.status_code == 200 and 'value="Anja Stephan"' in page.text
    refused = await client.post(
        f"/f/stakeholders/{stakeholder.id}/edit",
        data={"name": "Jobcenter", "family": "job_centre", "contact_person": "Someone else"},
    )
    assert refused.status_code == 422 and "personal data" in refused.text
    erased = await client.post(f"/f/stakeholders/{stakeholder.id}/edit", data={"action": "erase_contact"})
    assert erased.status_code == 303
    assert region.listed()[0]["contact"] is None


async def _phone_on_the_matrix(client: httpx.AsyncClient, region: Region) -> tuple[str, httpx.Response]:
    """The matrix stage made current, a phone joined, and the phone's stage page."""
    run(
        region.engine,
        workshops.set_current_stage,
        actor=region.facilitator,
        workshop_id=region.workshop_id,
        stage_id=region.matrix_stage,
    )
    code = await _joined_phone(client, region)
    return code, await client.get(f"/j/{code}/stage")


async def test_the_matrix_stage_shows_phones_and_projector_the_matrix(
    client: httpx.AsyncClient, region: Region
) -> None:
    participant, _ = region.participant()
    jobcenter, _ = region.propose(participant, "Jobcenter")
    region.cell("placement", jobcenter, "responsible", ["recognised_refugees"])
    code, phone = await _phone_on_the_matrix(client, region)
    assert f'id="rm-cell-placement-{jobcenter.id}"' in phone.text and "● Responsible" in phone.text
    assert "Nobody responsible" in phone.text and 'name="mark"' not in phone.text
    fragment = await client.get(f"/j/{code}/responsibilities")
    assert fragment.status_code == 200 and "rm-gap-summary" in fragment.text
    projector = await client.get(f"/s/{region.world.workshop.projector_key}/responsibilities")
    assert projector.status_code == 200 and "Jobcenter" in projector.text


async def test_an_empty_matrix_tells_a_phone_and_the_projector_of_its_cards(
    client: httpx.AsyncClient, region: Region
) -> None:
    """A phone and the projector show a card per activity area, no columns: their hint must not speak of
    columns (the console's table does)."""
    _, phone = await _phone_on_the_matrix(client, region)
    assert "will appear in every activity area below" in phone.text and "a column" not in phone.text
    projector = await client.get(f"/s/{region.world.workshop.projector_key}/responsibilities")
    assert "will appear in every activity area below" in projector.text and "a column" not in projector.text


@pytest.mark.parametrize("consent", ["yes", 1, "true", None, [True], {"given": True}])
async def test_consent_is_a_json_true_and_nothing_else(
    client: httpx.AsyncClient, region: Region, consent: Any
) -> None:
    _, ana = region.participant()
    body = {"name": "Migrationsberatung", "family": "welfare", "contact": CONTACT, "consent": consent}
    refused = await client.post(
        f"/api/v1/stages/{region.map_stage}/stakeholders", json=body, headers=_auth(ana)
    )
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("The request is not valid: consent:")
    listed = await client.get(f"/api/v1/stages/{region.map_stage}/stakeholders", headers=_auth(ana))
    assert listed.json()["items"] == []
    unticked = await client.post(
        f"/api/v1/stages/{region.map_stage}/stakeholders", json={**body, "consent": False}, headers=_auth(ana)
    )
    assert unticked.status_code == 422 and "tick the consent box" in unticked.json()["detail"]


async def test_withdrawn_consent_takes_the_contact_out_of_everything(
    client: httpx.AsyncClient, region: Region
) -> None:
    _, ana = region.participant()
    staff = _auth(region.world.api_token)
    body = {"name": "Migrationsberatung", "family": "welfare", "contact": CONTACT, "consent": True}
    created = await client.post(
        f"/api/v1/stages/{region.map_stage}/stakeholders", json=body, headers=_auth(ana)
    )
    assert created.status_code == 201
    sid = created.json()["id"]
    renamed = await client.patch(
        f"/api/v1/stakeholders/{sid}", json={"name": "Migration advice"}, headers=staff
    )
    assert renamed.json()["contact"] == CONTACT  # a correction leaves the contact where it was
    for flaky in ("no", 0):
        refused = await client.patch(f"/api/v1/stakeholders/{sid}", json={"consent": flaky}, headers=staff)
        assert refused.status_code == 422
    interface = f"/api/v1/workshops/{region.workshop_id}/interface-document"
    record = f"/api/v1/workshops/{region.workshop_id}/events"
    for url in (interface, record):
        assert "stephan@example.org" in (await client.get(url, headers=staff)).text

    withdrawn = await client.patch(f"/api/v1/stakeholders/{sid}", json={"consent": False}, headers=staff)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["contact"] is None and withdrawn.json()["has_contact"] is False
    for url in (interface, record, f"/api/v1/stakeholders/{sid}"):
        answer = (await client.get(url, headers=staff)).text
        assert (
            "Anja Stephan" not in answer and "stephan@example.org" not in answer and "4161345" not in answer
        )
    for fmt in ("md", "json", "csv"):
        exported = await client.get(
            f"/api/v1/workshops/{region.workshop_id}/export", params={"format": fmt}, headers=staff
        )
        assert b"Anja Stephan" not in exported.content and b"stephan@example.org" not in exported.content
    events = (await client.get(record, headers=staff)).json()["events"]
    assert [e["type"] for e in events].count("stakeholder.updated") == 2  # the record keeps its steps
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    with read_session(region.engine) as session:
        assert [
            row for row in session.exec(select(Stakeholder)) if row.contact_email or row.contact_person
        ] == []
    again = await client.patch(f"/api/v1/stakeholders/{sid}", json={"consent": False}, headers=staff)
    assert again.status_code == 200 and len(
        (await client.get(record, headers=staff)).json()["events"]
    ) == len(events)
