"""Bodies: the treaty bodies and the UPR (binding), and the migration processes (non-binding).

One table, the reference for storage, feeds and the extraction engine. The
members of CRM and CSM are those listed on the processes' own sites (DESIGN §4);
GFMD is open to every UN Member State, so it has no closed member list.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ventanas.normalize.states import fold


class BodyKind(StrEnum):
    TREATY_BODY = "treaty_body"
    CHARTER = "charter"
    PROCESS = "process"


@dataclass(frozen=True)
class Body:
    code: str
    kind: BodyKind
    name_en: str
    name_es: str
    name_fr: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # alpha-3; empty means "open to all" or "not a membership body"
    open_to_all: bool = False

    @property
    def binding(self) -> bool:
        return self.kind is not BodyKind.PROCESS

    def name(self, lang: str) -> str:
        return {"es": self.name_es, "fr": self.name_fr}.get(lang, self.name_en)


CRM_MEMBERS = ("BLZ", "CAN", "CRI", "DOM", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "USA")
CSM_MEMBERS = ("ARG", "BOL", "BRA", "CHL", "COL", "ECU", "GUY", "PRY", "PER", "SUR", "URY", "VEN")
# The 193 UN Member States (alpha-3, in the UN's alphabetical order of English
# names). GFMD is open to all of them; pycountry has no membership list, and
# observers (the Holy See, the State of Palestine) are not members.
UN_MEMBER_STATES = (
    "AFG", "ALB", "DZA", "AND", "AGO", "ATG", "ARG", "ARM", "AUS", "AUT", "AZE", "BHS", "BHR",
    "BGD", "BRB", "BLR", "BEL", "BLZ", "BEN", "BTN", "BOL", "BIH", "BWA", "BRA", "BRN", "BGR",
    "BFA", "BDI", "CPV", "KHM", "CMR", "CAN", "CAF", "TCD", "CHL", "CHN", "COL", "COM", "COG",
    "CRI", "CIV", "HRV", "CUB", "CYP", "CZE", "PRK", "COD", "DNK", "DJI", "DMA", "DOM", "ECU",
    "EGY", "SLV", "GNQ", "ERI", "EST", "SWZ", "ETH", "FJI", "FIN", "FRA", "GAB", "GMB", "GEO",
    "DEU", "GHA", "GRC", "GRD", "GTM", "GIN", "GNB", "GUY", "HTI", "HND", "HUN", "ISL", "IND",
    "IDN", "IRN", "IRQ", "IRL", "ISR", "ITA", "JAM", "JPN", "JOR", "KAZ", "KEN", "KIR", "KWT",
    "KGZ", "LAO", "LVA", "LBN", "LSO", "LBR", "LBY", "LIE", "LTU", "LUX", "MDG", "MWI", "MYS",
    "MDV", "MLI", "MLT", "MHL", "MRT", "MUS", "MEX", "FSM", "MCO", "MNG", "MNE", "MAR", "MOZ",
    "MMR", "NAM", "NRU", "NPL", "NLD", "NZL", "NIC", "NER", "NGA", "MKD", "NOR", "OMN", "PAK",
    "PLW", "PAN", "PNG", "PRY", "PER", "PHL", "POL", "PRT", "QAT", "KOR", "MDA", "ROU", "RUS",
    "RWA", "KNA", "LCA", "VCT", "WSM", "SMR", "STP", "SAU", "SEN", "SRB", "SYC", "SLE", "SGP",
    "SVK", "SVN", "SLB", "SOM", "ZAF", "SSD", "ESP", "LKA", "SDN", "SUR", "SWE", "CHE", "SYR",
    "TJK", "THA", "TLS", "TGO", "TON", "TTO", "TUN", "TUR", "TKM", "TUV", "UGA", "UKR", "ARE",
    "GBR", "TZA", "USA", "URY", "UZB", "VUT", "VEN", "VNM", "YEM", "ZMB", "ZWE",
)

BODIES: dict[str, Body] = {
    b.code: b
    for b in (
        Body("CMW", BodyKind.TREATY_BODY,
             "Committee on Migrant Workers",
             "Comité de Protección de los Derechos de Todos los Trabajadores Migratorios",
             "Comité des travailleurs migrants",
             ("Committee on the Protection of the Rights of All Migrant Workers and Members of Their Families",
              "Comité de Trabajadores Migratorios", "Comité des travailleurs migrants")),
        Body("CEDAW", BodyKind.TREATY_BODY,
             "Committee on the Elimination of Discrimination against Women",
             "Comité para la Eliminación de la Discriminación contra la Mujer",
             "Comité pour l'élimination de la discrimination à l'égard des femmes"),
        Body("CRC", BodyKind.TREATY_BODY,
             "Committee on the Rights of the Child", "Comité de los Derechos del Niño",
             "Comité des droits de l'enfant"),
        Body("CCPR", BodyKind.TREATY_BODY,
             "Human Rights Committee", "Comité de Derechos Humanos", "Comité des droits de l'homme",
             ("HRCttee",)),
        Body("CESCR", BodyKind.TREATY_BODY,
             "Committee on Economic, Social and Cultural Rights",
             "Comité de Derechos Económicos, Sociales y Culturales",
             "Comité des droits économiques, sociaux et culturels"),
        Body("CAT", BodyKind.TREATY_BODY,
             "Committee against Torture", "Comité contra la Tortura", "Comité contre la torture"),
        Body("CERD", BodyKind.TREATY_BODY,
             "Committee on the Elimination of Racial Discrimination",
             "Comité para la Eliminación de la Discriminación Racial",
             "Comité pour l'élimination de la discrimination raciale"),
        Body("CRPD", BodyKind.TREATY_BODY,
             "Committee on the Rights of Persons with Disabilities",
             "Comité sobre los Derechos de las Personas con Discapacidad",
             "Comité des droits des personnes handicapées"),
        Body("CED", BodyKind.TREATY_BODY,
             "Committee on Enforced Disappearances", "Comité contra la Desaparición Forzada",
             "Comité des disparitions forcées"),
        Body("SPT", BodyKind.TREATY_BODY,
             "Subcommittee on Prevention of Torture", "Subcomité para la Prevención de la Tortura",
             "Sous-comité pour la prévention de la torture"),
        Body("UPR", BodyKind.CHARTER,
             "Universal Periodic Review (Human Rights Council)",
             "Examen Periódico Universal (Consejo de Derechos Humanos)",
             "Examen périodique universel (Conseil des droits de l'homme)",
             ("Universal Periodic Review", "Examen Periódico Universal", "Examen périodique universel", "EPU")),
        Body("GFMD", BodyKind.PROCESS,
             "Global Forum on Migration and Development", "Foro Global sobre Migración y Desarrollo",
             "Forum mondial sur la migration et le développement",
             ("Foro Mundial sobre Migración y Desarrollo", "FMMD"), open_to_all=True),
        Body("CRM", BodyKind.PROCESS,
             "Regional Conference on Migration (Puebla Process)",
             "Conferencia Regional sobre Migración (Proceso Puebla)",
             "Conférence régionale sur les migrations (Processus de Puebla)",
             ("Regional Conference on Migration", "Conferencia Regional sobre Migración", "Proceso Puebla",
              "Puebla Process", "RCM"), members=CRM_MEMBERS),
        Body("CSM", BodyKind.PROCESS,
             "South American Conference on Migration",
             "Conferencia Suramericana sobre Migraciones",
             "Conférence sud-américaine sur les migrations",
             ("Conferencia Sudamericana sobre Migraciones", "SACM"), members=CSM_MEMBERS),
    )
}

BINDING = tuple(code for code, body in BODIES.items() if body.binding)
NON_BINDING = tuple(code for code, body in BODIES.items() if not body.binding)


def body_codes() -> set[str]:
    return set(BODIES)


def resolve_body(text: str) -> str | None:
    """Body code for a code or a full name in any of the three languages, or None."""
    stripped = text.strip()
    if stripped.upper() in BODIES:
        return stripped.upper()
    key = fold(stripped)
    for body in BODIES.values():
        forms = (body.name_en, body.name_es, body.name_fr, *body.aliases)
        if any(fold(form) == key for form in forms):
            return body.code
    return None


def processes_of(state: str) -> list[str]:
    """The non-binding processes a State takes part in (GFMD for every State)."""
    return [b.code for b in BODIES.values() if not b.binding and (b.open_to_all or state in b.members)]

