"""GFMD summits concern every UN Member State: the list they are sent to must be exactly the 193."""

from __future__ import annotations

import pycountry

from ventanas.normalize.bodies import CRM_MEMBERS, CSM_MEMBERS, UN_MEMBER_STATES


def test_there_are_193_member_states_without_repeats():
    assert len(UN_MEMBER_STATES) == 193
    assert len(set(UN_MEMBER_STATES)) == 193


def test_every_code_is_known_to_pycountry():
    unknown = [code for code in UN_MEMBER_STATES if pycountry.countries.get(alpha_3=code) is None]
    assert unknown == []


def test_observers_and_territories_are_not_members():
    # The Holy See and the State of Palestine are observers; Kosovo, Taiwan and
    # Puerto Rico are not UN members; a per-State feed must not claim otherwise.
    assert not {"VAT", "PSE", "TWN", "PRI", "XKX"} & set(UN_MEMBER_STATES)


def test_crm_and_csm_members_are_un_members():
    assert set(CRM_MEMBERS) <= set(UN_MEMBER_STATES)
    assert set(CSM_MEMBERS) <= set(UN_MEMBER_STATES)
