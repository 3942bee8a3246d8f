"""Stakeholder families, levels and roles of the TALENTS toolbox (seed 001), in every language.

The same families name the stakeholder group a participant joins as, so results can be shown by group.
"""

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


def label(table: dict[str, dict[str, str]], key: str | None, lang: str) -> str:
    if not key or key not in table:
        return ""
    return table[key].get(lang) or table[key]["en"]
