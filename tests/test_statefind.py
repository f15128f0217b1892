"""States in running text (STYLE 11): text → the alpha-3 codes found, in order;
and names that stand where a State is expected but cannot be resolved."""

from __future__ import annotations

import pytest

from ventanas.normalize.statefind import find_states, unresolved_states

STATES = [
    # -- lists in three languages (the CMW 36th session)
    ("en-list-and", "will review the reports of Morocco, Nigeria, the Philippines and El Salvador.",
     ["MAR", "NGA", "PHL", "SLV"]),
    ("es-list-y", "examinará los informes de Marruecos, Nigeria, Filipinas y El Salvador.",
     ["MAR", "NGA", "PHL", "SLV"]),
    ("fr-list-et", "examinera les rapports du Maroc, du Nigéria, des Philippines et d’El Salvador.",
     ["MAR", "NGA", "PHL", "SLV"]),
    # -- UN forms and aliases (DESIGN §4)
    ("un-bolivia", "Bolivia (Plurinational State of)", ["BOL"]),
    ("en-plurinational", "the Plurinational State of Bolivia", ["BOL"]),
    ("es-plurinacional", "el Estado Plurinacional de Bolivia", ["BOL"]),
    ("fr-plurinational", "l’État plurinational de Bolivie", ["BOL"]),
    ("un-venezuela", "Venezuela (Bolivarian Republic of)", ["VEN"]),
    ("turkiye", "Türkiye", ["TUR"]),
    ("cote-divoire", "Côte d'Ivoire", ["CIV"]),
    ("cote-divoire-curly", "Côte d’Ivoire", ["CIV"]),
    ("viet-nam", "Viet Nam", ["VNM"]),
    ("republic-of-korea", "the Republic of Korea", ["KOR"]),
    ("dprk", "the Democratic People's Republic of Korea", ["PRK"]),
    ("palestine", "the State of Palestine", ["PSE"]),
    ("holy-see", "the Holy See", ["VAT"]),
    ("es-estados-unidos", "los Estados Unidos", ["USA"]),
    ("es-dominicana", "la República Dominicana", ["DOM"]),
    ("cabo-verde", "Cabo Verde", ["CPV"]),
    ("the-philippines", "the Philippines", ["PHL"]),
    ("un-uk", "United Kingdom of Great Britain and Northern Ireland", ["GBR"]),
    ("fr-uk", "Royaume-Uni de Grande-Bretagne et d’Irlande du Nord", ["GBR"]),
    ("es-uk", "Reino Unido de Gran Bretaña e Irlanda del Norte", ["GBR"]),
    ("iran", "Iran (Islamic Republic of)", ["IRN"]),
    ("es-mexico", "México", ["MEX"]),
    ("fr-mexique", "le Mexique", ["MEX"]),
    ("es-peru-accent", "Perú y Panamá", ["PER", "PAN"]),
    ("es-brasil", "Brasil", ["BRA"]),
    # -- longest name wins; names with "and" stay whole
    ("congo-drc", "Democratic Republic of the Congo, Congo", ["COD", "COG"]),
    ("guineas", "Guinea-Bissau, Guinea, Equatorial Guinea and Papua New Guinea", ["GNB", "GIN", "GNQ", "PNG"]),
    ("trinidad-and-tobago", "Trinidad and Tobago and Jamaica", ["TTO", "JAM"]),
    ("es-trinidad-y-tobago", "Trinidad y Tobago y Bosnia y Herzegovina", ["TTO", "BIH"]),
    ("fr-hyphens", "Trinité-et-Tobago et Saint-Vincent-et-les-Grenadines", ["TTO", "VCT"]),
    ("sudans", "South Sudan and Sudan", ["SSD", "SDN"]),
    ("niger-nigeria", "Niger and Nigeria", ["NER", "NGA"]),
    ("dominica", "Dominica and the Dominican Republic", ["DMA", "DOM"]),
    ("caps", "MEXICO AND GUATEMALA", ["MEX", "GTM"]),
    # -- not States
    ("lowercase-words", "chile sauce, turkey and china plates", []),
    ("new-mexico", "a law of New Mexico", []),
    ("reunion-is-a-meeting", "la XXVI Reunión Viceministerial", []),
    ("territory", "Puerto Rico and Guadeloupe", []),
    ("korea-alone", "Korea", []),
    ("no-state", "The Committee adopted its concluding observations.", []),
]


@pytest.mark.parametrize(("text", "expected"), [row[1:] for row in STATES], ids=[row[0] for row in STATES])
def test_find_states(text, expected):
    assert [m.code for m in find_states(text)] == expected


def test_mention_text_and_pos_point_into_the_input():
    text = "Observations on Bolivia (Plurinational State of) were adopted."
    (mention,) = find_states(text)
    assert mention.text == "Bolivia (Plurinational State of)"
    assert text[mention.pos:mention.pos + len(mention.text)] == mention.text


UNRESOLVED = [
    ("unknown-in-list", "Morocco, Ruritania and El Salvador", [("Ruritania", "unknown")]),
    ("unknown-at-end", "States under review: Morocco, Nigeria, Atlantis", [("Atlantis", "unknown")]),
    ("ambiguous-korea", "Mexico and Korea", [("Korea", "ambiguous: KOR, PRK")]),
    ("es-unknown", "Marruecos, Narnia y Filipinas", [("Narnia", "unknown")]),
    ("part-of-a-name", "Türkiye, Côte d'Ivoire, Viet Nam", []),
    ("not-a-list", "Mexico and the Committee", []),
    ("a-city-is-no-candidate", "Mexico, Geneva and Peru", []),
]


@pytest.mark.parametrize(("text", "expected"), [row[1:] for row in UNRESOLVED], ids=[row[0] for row in UNRESOLVED])
def test_unresolved_states_in_lists(text, expected):
    assert [(u.text, u.reason) for u in unresolved_states(text)] == expected


def test_unresolved_candidates_from_the_caller():
    found = unresolved_states("Reviewed: Mexico, Atlantis", ["Mexico", "Atlantis", "Korea"])
    assert [(u.text, u.pos, u.reason) for u in found] == [
        ("Atlantis", 18, "unknown"), ("Korea", -1, "ambiguous: KOR, PRK")]
