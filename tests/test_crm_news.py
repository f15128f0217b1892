"""The CRM spider on saved pages (offline, frozen clock): Spanish prose through the
extraction engine, the 11 members and the pro-tempore presidency as host."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from freezegun import freeze_time
from scrapy import Request
from scrapy.utils.test import get_crawler

from tests.conftest import TODAY, file_response
from ventanas.config import Settings
from ventanas.domain import EventItem, Kind, Role, Status, validate
from ventanas.normalize.bodies import CRM_MEMBERS, CSM_MEMBERS, body_codes
from ventanas.normalize.processes import pro_tempore_presidency, process_states
from ventanas.normalize.states import all_states
from ventanas.spiders.crm_news import MAX_LISTING_PAGES, CrmNewsSpider

LIVE = "https://crmsv.org"
COPY = "http://127.0.0.1:9/crmsv.org"
POSTS = ["crm-aprueba-calendario-2025-2026", "se-pospone-grupo-trabajo-ninez-adolescencia",
         "panama-convoca-xxx-reunion-viceministerial", "plenaria-conjunta-crm-csm-2025",
         "concluye-xxvi-reunion-viceministerial"]


def make_spider(base: str = LIVE):
    crawler = get_crawler(CrmNewsSpider, {"VENTANAS": Settings(crm_url=base, today=TODAY)})
    return CrmNewsSpider.from_crawler(crawler), crawler.stats


def split(output):
    output = list(output)
    return [o for o in output if isinstance(o, EventItem)], [o for o in output if isinstance(o, Request)]


def parse_posts(spider, slugs):
    found = {}
    with freeze_time(TODAY.isoformat()):
        for slug in slugs:
            url = f"{LIVE}/noticias/{slug}/"
            found[slug] = split(spider.parse_post(file_response(f"crmsv.org/noticias/{slug}/index.html", url)))[0]
    return found


@pytest.fixture(scope="module")
def posts():
    """Each post read on its own (a fresh spider each), to see everything it announces."""
    return {slug: parse_posts(make_spider()[0], [slug])[slug] for slug in POSTS}


@pytest.fixture(scope="module")
def items():
    """One run over every post: what the spider yields."""
    found = parse_posts(make_spider()[0], POSTS)
    return [item for items in found.values() for item in items]


def by_key(items, key):
    return next(i for i in items if i.key == key)


def roles(item):
    return {s.code: s.role for s in item.states}


def test_xxvi_viceministerial_in_mexico(posts):
    [vice] = posts["concluye-xxvi-reunion-viceministerial"]  # and nothing for the XXV it mentions
    assert vice.key == "crm/viceministerial/26"
    assert (vice.start, vice.end) == (date(2021, 12, 2), date(2021, 12, 3))  # "Los días 2 y 3 de diciembre de 2021"
    assert vice.kind == Kind.VICE_MINISTERIAL
    assert roles(vice)["MEX"] == Role.HOST


def test_crm_meetings_concern_the_eleven_members(items):
    for item in items:
        codes = roles(item)
        assert set(CRM_MEMBERS) <= set(codes), item.key
        assert [c for c, r in codes.items() if r == Role.HOST], item.key


def test_earlier_meeting_mentioned_in_a_press_release_is_no_new_event(items):
    # "Como se acordó en la XXV Reunión Viceministerial en 2020, …"
    assert not any(i.key == "crm/viceministerial/25" for i in items)


def test_upcoming_viceministerial_hosted_by_the_pro_tempore_presidency(posts):
    for slug in ("crm-aprueba-calendario-2025-2026", "panama-convoca-xxx-reunion-viceministerial"):
        vice = by_key(posts[slug], "crm/viceministerial/30")
        assert (vice.start, vice.end) == (date(2025, 12, 4), date(2025, 12, 5))
        assert roles(vice)["PAN"] == Role.HOST


def test_mid_term_regional_consultation_group_meeting(posts):
    grcm = by_key(posts["crm-aprueba-calendario-2025-2026"], "crm/grupo-regional-consulta/2026-mid-term")
    assert (grcm.start, grcm.end) == (date(2026, 2, 24), date(2026, 2, 26))  # "del 24 al 26 de febrero de 2026"
    assert roles(grcm)["GTM"] == Role.HOST
    # within 120 days before the CMW review of Mexico (April 2026): a link opportunity for Mexico
    assert 0 < (date(2026, 4, 13) - grcm.start).days <= 120
    assert roles(grcm)["MEX"] == Role.MEMBER


@pytest.mark.parametrize("order", [POSTS, POSTS[::-1]], ids=["newest-first", "oldest-first"])
def test_the_newest_post_owns_a_meeting_two_posts_announce(order):
    # The calendar (25 July) and the press release (10 July) both announce the XXX
    # Viceministerial; whatever order they are read in, the calendar wins, so a
    # re-run never flips the event between them.
    found = [i for items in parse_posts(make_spider()[0], order).values() for i in items]
    winner = max((i for i in found if i.key == "crm/viceministerial/30"), key=lambda i: i.priority)
    assert winner.source_url == f"{LIVE}/noticias/crm-aprueba-calendario-2025-2026/"
    assert 50 <= winner.priority < 80  # a news item never outranks a meeting page


def test_joint_plenary_with_the_csm(posts):
    [plenary] = posts["plenaria-conjunta-crm-csm-2025"]
    assert plenary.key == "crm/plenaria-conjunta/2025"
    assert plenary.start == plenary.end == date(2025, 11, 17)
    assert roles(plenary)["BRA"] == Role.HOST


def test_postponed_working_group_meeting(posts):
    [meeting] = posts["se-pospone-grupo-trabajo-ninez-adolescencia"]
    assert meeting.status == Status.POSTPONED
    assert (meeting.start, meeting.end) == (date(2025, 9, 9), date(2025, 9, 10))
    # a working group is known by its subject: "Grupo de Trabajo ad hoc sobre Niñez y Adolescencia Migrante"
    assert meeting.key == "crm/working-group/2025-ninez-adolescencia-migrante"
    assert "Niñez y Adolescencia Migrante" in meeting.title


def test_listing_follows_posts_and_older_page_on_the_copy():
    spider, _ = make_spider(COPY)
    _, requests = split(spider.parse_listing(file_response("crmsv.org/noticias/index.html", f"{COPY}/noticias/"),
                                             page=1))
    urls = [r.url for r in requests]
    # WordPress writes absolute live links; they are fetched from the configured copy
    assert f"{COPY}/noticias/crm-aprueba-calendario-2025-2026/" in urls
    assert f"{COPY}/noticias/page/2/" in urls
    assert len(urls) == 5 and all(u.startswith(COPY) for u in urls)


def test_listing_pagination_is_bounded():
    spider, _ = make_spider()
    response = file_response("crm/listing_absolute_links.html", f"{LIVE}/noticias/page/{MAX_LISTING_PAGES}/")
    _, requests = split(spider.parse_listing(response, page=MAX_LISTING_PAGES))
    assert [r.url for r in requests] == [f"{LIVE}/noticias/una-noticia-antigua/"]


def test_listing_without_posts_is_an_error():
    spider, stats = make_spider()
    split(spider.parse_listing(file_response("gfmd/listing_without_items.html", f"{LIVE}/noticias/"), page=1))
    assert stats.get_value("ventanas/parse_errors") == 1


@pytest.mark.parametrize("text,expected", [
    ("bajo la Presidencia Pro Tempore de Panamá.", "PAN"),
    ("La Presidencia Pro Tempore de Brasil convoca", "BRA"),
    ("Presidencia Pro Tempore (PPT) de El Salvador", "SLV"),
    ("la Presidencia Pro Tempore de la República Dominicana", "DOM"),
    ("la Presidencia Pro Témpore de los Estados Unidos", "USA"),
    ("bajo la Presidencia Pro Tempore de México, la XXVI Reunión", "MEX"),
    ("la Presidencia Pro Tempore ejercida por Costa Rica", "CRI"),
    ("la presidencia de la reunión", None),
    ("bajo la Presidencia Pro Tempore de Atlantis", None),
], ids=["panama", "brasil", "ppt-el-salvador", "republica-dominicana", "los-estados-unidos", "name-then-more",
        "ejercida-por", "no-pro-tempore", "unknown-state"])
def test_pro_tempore_presidency(text, expected):
    assert pro_tempore_presidency(text) == expected


def test_start_issues_the_listing_request():
    spider, _ = make_spider(COPY)

    async def first():
        return [r async for r in spider.start()]

    assert [r.url for r in asyncio.run(first())] == [f"{COPY}/noticias/"]


@pytest.mark.parametrize("index", range(5))
def test_every_item_meets_the_contract(items, index):
    assert len(items) == 5  # the XXX Viceministerial once (from its newest post), GRCM, plenary, XXVI, working group
    item = items[index]
    validate(item, known_bodies=body_codes(), known_states=set(all_states()))
    assert item.body == "CRM" and item.source_name == "crm_news" and 50 <= item.priority < 80
    assert item.key.startswith("crm/") and item.all_day
    assert item.source_url.startswith(f"{LIVE}/noticias/") and item.evidence
    assert item.start >= date(2021, 1, 1)


@pytest.mark.parametrize("body,kind,host,mentioned,expected", [
    ("CRM", Kind.VICE_MINISTERIAL, "PAN", (), {"PAN": Role.HOST, **dict.fromkeys(set(CRM_MEMBERS) - {"PAN"}, Role.MEMBER)}),
    ("CRM", Kind.OTHER, "BRA", ("ARG",), {"BRA": Role.HOST, "ARG": Role.CONCERNED,
                                         **dict.fromkeys(CRM_MEMBERS, Role.MEMBER)}),
    ("CSM", Kind.CONFERENCE, None, ("MEX", "BRA"), {"MEX": Role.CONCERNED, **dict.fromkeys(CSM_MEMBERS, Role.MEMBER)}),
    ("GFMD", Kind.PREPARATORY_MEETING, "COL", (), {"COL": Role.HOST}),
], ids=["crm-host-is-not-also-member", "joint-plenary-host-outside-crm", "csm-member-named-keeps-its-role",
        "gfmd-preparatory-meeting-only-the-chair"])
def test_process_states(body, kind, host, mentioned, expected):
    links = process_states(body, kind, host, mentioned)
    assert {link.code: link.role for link in links} == expected
    assert len(links) == len(expected)  # each State once


@pytest.mark.parametrize("order", [POSTS, POSTS[::-1]], ids=["newest-first", "oldest-first"])
def test_a_post_whose_meeting_a_newer_post_owns_still_counts_as_read(order):
    # Health names a page that yielded before and nothing now (a changed layout). A post parsed
    # after the newer post that owns its meeting yields no item, yet it read its meeting: whatever
    # order the answers arrive in, each post that announces the meeting counts it, as an item
    # yielded or as one owned elsewhere (the middleware adds what is yielded; here only the latter).
    from ventanas.spiders.middlewares import PAGE_OUTPUT_STAT

    spider, stats = make_spider()
    found = parse_posts(spider, order)
    for slug in ("crm-aprueba-calendario-2025-2026", "panama-convoca-xxx-reunion-viceministerial"):
        owned_elsewhere = stats.get_value(f"{PAGE_OUTPUT_STAT}{LIVE}/noticias/{slug}/", 0)
        yielded = [i for i in found[slug] if i.key == "crm/viceministerial/30"]
        assert len(yielded) + owned_elsewhere >= 1, slug
