"""Stakeholder families, levels and roles of the TALENTS toolbox (seed 001), in every language.

The same families name the stakeholder group a participant joins as, so results can be shown by group.
"""

from typing import Any

from cowork.domain.errors import Invalid

FAMILIES: dict[str, dict[str, str]] = {
    "job_centre": {
        "en": "Job centres and labour-market services",
        "de": "Jobcenter und Arbeitsmarktdienste",
        "es": "Servicios públicos de empleo",
    },
    "employer": {
        "en": "Employers (companies, public and non-governmental)",
        "de": "Arbeitgeber (Unternehmen, öffentliche und gemeinnützige)",
        "es": "Empleadores (empresas, públicos y no gubernamentales)",
    },
    "training": {
        "en": "Training centres (adult education, vocational schools)",
        "de": "Bildungsträger (Volkshochschulen, Berufsschulen)",
        "es": "Centros de formación (educación de adultos, formación profesional)",
    },
    "guidance": {
        "en": "Guidance, coaching and support (chambers, associations, trade unions, municipal guidance)",
        "de": "Beratung, Coaching und Unterstützung (Kammern, Verbände, Gewerkschaften, kommunale Beratung)",
        "es": (
            "Orientación, acompañamiento y apoyo (cámaras, asociaciones, sindicatos, orientación municipal)"
        ),
    },
    "policy": {
        "en": "Political actors and public administration",
        "de": "Politik und öffentliche Verwaltung",
        "es": "Actores políticos y administración pública",
    },
    "welfare": {
        "en": "Welfare organisations, migrant networks, housing, health and legal advice",
        "de": "Wohlfahrtsverbände, Migrantennetzwerke, Wohnungs-, Gesundheits- und Rechtsberatung",
        "es": "Entidades sociales, redes de migrantes, asesoría de vivienda, salud y jurídica",
    },
    "beneficiary": {
        "en": "Beneficiaries (people looking for work or training)",
        "de": "Teilnehmende (Menschen auf Arbeits- oder Ausbildungssuche)",
        "es": "Personas beneficiarias (en búsqueda de empleo o formación)",
    },
}

LEVELS: dict[str, dict[str, str]] = {
    "political": {"en": "Political", "de": "Politische Ebene", "es": "Nivel político"},
    "management": {"en": "Management", "de": "Leitungsebene", "es": "Nivel de gestión"},
    "operational": {"en": "Operational", "de": "Operative Ebene", "es": "Nivel operativo"},
}

ROLES: dict[str, dict[str, str]] = {
    "matching": {
        "en": "Matching labour demand and supply",
        "de": "Arbeitskräfteangebot und -nachfrage zusammenbringen",
        "es": "Casar oferta y demanda de empleo",
    },
    "learning_arena": {
        "en": "Real-life learning arena at the workplace",
        "de": "Lernort im echten Arbeitsalltag",
        "es": "Espacio de aprendizaje real en el puesto de trabajo",
    },
    "training": {
        "en": "Work-related language and vocational training",
        "de": "Berufsbezogene Sprach- und Fachqualifizierung",
        "es": "Formación lingüística y profesional ligada al trabajo",
    },
    "inclusion": {
        "en": "Social inclusion services",
        "de": "Soziale Integrationsdienste",
        "es": "Servicios de inclusión social",
    },
}


# --- the responsibility matrix (seed 002): marks in a cell, default rows and target groups -------------

# Each mark has a symbol too, so a printed or colour-blind reader tells them apart without colour.
MARKS: dict[str, dict[str, str]] = {
    "responsible": {"en": "Responsible", "de": "Verantwortlich", "es": "Responsable"},
    "contributes": {"en": "Contributes", "de": "Wirkt mit", "es": "Colabora"},
    "informed": {"en": "Informed", "de": "Wird informiert", "es": "Recibe información"},
}
MARK_SYMBOLS: dict[str, str] = {"responsible": "●", "contributes": "◐", "informed": "○"}

# Rows of a matrix when the workshop's format names none (the regional workshop names its own).
ACTIVITY_AREAS: dict[str, dict[str, str]] = {
    "profiling": {
        "en": "Profiling",
        "de": "Profiling und Kompetenzfeststellung",
        "es": "Elaboración de perfiles",
    },
    "language_courses": {"en": "Language courses", "de": "Sprachkurse", "es": "Cursos de idiomas"},
    "recognition": {
        "en": "Recognition of qualifications",
        "de": "Anerkennung von Abschlüssen",
        "es": "Reconocimiento de titulaciones",
    },
    "vocational_training": {
        "en": "Vocational training",
        "de": "Berufliche Qualifizierung",
        "es": "Formación profesional",
    },
    "job_matching": {
        "en": "Internships and job matching",
        "de": "Praktika und Stellenvermittlung",
        "es": "Prácticas e intermediación laboral",
    },
    "housing": {"en": "Housing", "de": "Wohnen", "es": "Vivienda"},
    "childcare": {"en": "Childcare", "de": "Kinderbetreuung", "es": "Cuidado infantil"},
    "health": {
        "en": "Health and psychological support",
        "de": "Gesundheit und psychologische Unterstützung",
        "es": "Salud y apoyo psicológico",
    },
    "legal_advice": {"en": "Legal advice", "de": "Rechtsberatung", "es": "Asesoría jurídica"},
}

TARGET_GROUPS: dict[str, dict[str, str]] = {
    "refugees": {"en": "Refugees", "de": "Geflüchtete", "es": "Personas refugiadas"},
    "long_term_unemployed": {
        "en": "Long-term unemployed people",
        "de": "Langzeitarbeitslose",
        "es": "Personas en desempleo de larga duración",
    },
    "former_inmates": {
        "en": "Former inmates",
        "de": "Haftentlassene",
        "es": "Personas que han salido de prisión",
    },
    "young_without_qualifications": {
        "en": "Young people without qualifications",
        "de": "Junge Menschen ohne Berufsabschluss",
        "es": "Jóvenes sin cualificación",
    },
}


def label(table: dict[str, dict[str, str]], key: str | None, lang: str) -> str:
    if not key or key not in table:
        return ""
    return table[key].get(lang) or table[key]["en"]


# --- the families a stakeholder stage offers (its `families` setting) -----------------------------------


def shown_families(config: dict[str, Any]) -> list[str]:
    """The families the stage's proposal form offers, in its order; without the setting, all of them."""
    return [key for key in config.get("families") or FAMILIES if key in FAMILIES]


def clean_families(value: Any) -> list[str]:
    """A stage's `families` setting: some of the TALENTS families, in the order given, each once."""
    if not isinstance(value, list) or not value:
        raise Invalid("Show at least one stakeholder family.")
    shown: list[str] = []
    for key in value:
        if key not in FAMILIES:
            raise Invalid(
                "Unknown stakeholder family {family}; choose one of: {known}.",
                family=key,
                known=", ".join(FAMILIES),
            )
        if key not in shown:
            shown.append(key)
    return shown
