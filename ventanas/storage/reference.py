"""Reference data in the database: States and Bodies (with CRM and CSM members).

The tables mirror ventanas.normalize.states and .bodies so that pages, exports
and SQL users can join on them. Seeding writes only what differs, so opening
the database costs no write after the first time.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanas.normalize.bodies import BODIES
from ventanas.normalize.states import all_states
from ventanas.storage.models import Body, BodyMember, State


def seed_reference(session: Session) -> int:
    """Insert or correct reference rows; return how many rows were written."""
    written = 0
    stored_states = {s.code: s for s in session.scalars(select(State))}
    for info in all_states().values():
        values = {"alpha2": info.alpha2, "name_en": info.name_en, "name_es": info.name_es, "name_fr": info.name_fr}
        row = stored_states.get(info.code)
        if row is None:
            session.add(State(code=info.code, **values))
            written += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            written += 1
    session.flush()

    stored_bodies = {b.code: b for b in session.scalars(select(Body))}
    for body in BODIES.values():
        values = {
            "kind": str(body.kind), "binding": body.binding, "name_en": body.name_en, "name_es": body.name_es,
            "name_fr": body.name_fr, "open_to_all": body.open_to_all,
        }
        row = stored_bodies.get(body.code)
        if row is None:
            session.add(Body(code=body.code, **values))
            written += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            written += 1
    session.flush()

    stored_members = {(m.body_code, m.state_code) for m in session.scalars(select(BodyMember))}
    wanted = {(body.code, state) for body in BODIES.values() for state in body.members}
    for body_code, state_code in sorted(wanted - stored_members):
        session.add(BodyMember(body_code=body_code, state_code=state_code))
        written += 1
    for body_code, state_code in stored_members - wanted:
        session.delete(session.get(BodyMember, (body_code, state_code)))
        written += 1
    return written
