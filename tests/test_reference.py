import pytest

from ventanas.normalize.bodies import BODIES, CRM_MEMBERS, CSM_MEMBERS, processes_of, resolve_body
from ventanas.normalize.states import UnknownState, require_state, resolve_state, state_name

STATE_NAMES = [
    ("Bolivia (Plurinational State of)", "BOL"), ("Estado Plurinacional de Bolivia", "BOL"),
    ("Plurinational State of Bolivia", "BOL"), ("Türkiye", "TUR"), ("Turkey", "TUR"),
    ("Côte d'Ivoire", "CIV"), ("Côte d’Ivoire", "CIV"), ("Viet Nam", "VNM"), ("Republic of Korea", "KOR"),
    ("State of Palestine", "PSE"), ("Holy See", "VAT"), ("Estados Unidos", "USA"),
    ("United States of America", "USA"), ("República Dominicana", "DOM"), ("Cabo Verde", "CPV"),
    ("the Philippines", "PHL"), ("Philippines", "PHL"), ("México", "MEX"), ("Mexique", "MEX"),
    ("MEXICO", "MEX"), ("El Salvador", "SLV"), ("Brasil", "BRA"), ("Brésil", "BRA"), ("Perú", "PER"),
    ("Venezuela (Bolivarian Republic of)", "VEN"), ("République dominicaine", "DOM"), ("Guatemala", "GTM"),
    ("États-Unis", "USA"), ("Iran (Islamic Republic of)", "IRN"), ("MEX", "MEX"),
]


@pytest.mark.parametrize(("name", "code"), STATE_NAMES, ids=[n for n, _ in STATE_NAMES])
def test_resolve_state(name, code):
    assert resolve_state(name) == code


@pytest.mark.parametrize("name", ["Narnia", "", "Republic", "Salvadore", "XYZ"])
def test_unknown_state_is_reported_not_guessed(name):
    assert resolve_state(name) is None
    with pytest.raises(UnknownState):
        require_state(name)


def test_state_names_in_three_languages():
    assert (state_name("MEX", "en"), state_name("MEX", "es"), state_name("MEX", "fr")) == ("Mexico", "México", "Mexique")
    assert state_name("BOL", "en") == "Bolivia"


def test_process_membership():
    assert len(CRM_MEMBERS) == 11 and len(CSM_MEMBERS) == 12
    assert processes_of("MEX") == ["GFMD", "CRM"]
    assert processes_of("BRA") == ["GFMD", "CSM"]
    assert processes_of("FRA") == ["GFMD"]


@pytest.mark.parametrize(("text", "code"), [("CMW", "CMW"), ("Committee against Torture", "CAT"),
                                            ("Proceso Puebla", "CRM"), ("Comité des droits de l'enfant", "CRC")])
def test_resolve_body(text, code):
    assert resolve_body(text) == code
    assert code in BODIES
