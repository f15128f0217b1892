"""The CSM spider on saved pages (offline, frozen clock): the Conferencia, technical and
intersessional meetings from Spanish prose; the 12 members and the host."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from freezegun import freeze_time
from scrapy import Request
from scrapy.utils.test import get_crawler

from tests.conftest import TODAY, file_response
from ventanas.config import Settings
from ventanas.domain import EventItem, Kind, Role, validate
from ventanas.normalize.bodies import CSM_MEMBERS, body_codes
from ventanas.normalize.processes import ListedItem
from ventanas.normalize.states import all_states
from ventanas.spiders.csm_news import MAX_LISTING_PAGES, CsmNewsSpider

LIVE = "https://csmigraciones.org"
COPY = "http://127.0.0.1:9/csmigraciones.org"
NEWS = ["brasil-sede-xxiii-csm", "reunion-tecnica-consulta-septiembre-2025", "reunion-intersesional-montevideo-2025",
        "balance-xxii-csm"]


def make_spider(base: str = LIVE):
    crawler = get_crawler(CsmNewsSpider, {"VENTANAS": Settings(csm_url=base, today=TODAY)})
    return CsmNewsSpider.from_crawler(crawler), crawler.stats


def split(output):
    output = list(output)
    return [o for o in output if isinstance(o, EventItem)], [o for o in output if isinstance(o, Request)]


@pytest.fixture(scope="module")
def news():
    spider, _ = make_spider()
    found = {}
    with freeze_time(TODAY.isoformat()):
        for slug in NEWS:
            url = f"{LIVE}/es/noticias/{slug}"
            found[slug] = split(spider.parse_news(file_response(f"csmigraciones.org/es/noticias/{slug}", url)))[0]
    return found


@pytest.fixture(scope="module")
def items(news):
    return [item for found in news.values() for item in found]


def roles(item):
    return {s.code: s.role for s in item.states}


def test_xxiii_conference_in_brasilia(news):
    [conference] = news["brasil-sede-xxiii-csm"]
    assert conference.key == "csm/conference/23"
    assert (conference.start, conference.end) == (date(2025, 11, 18), date(2025, 11, 19))  # "los días 18 y 19 de …"
    assert conference.kind == Kind.CONFERENCE
    assert conference.location == "Brasília"
    assert roles(conference)["BRA"] == Role.HOST


def test_csm_meetings_concern_the_twelve_members_and_not_mexico(items):
    for item in items:
        assert set(CSM_MEMBERS) <= set(roles(item)), item.key
        assert "MEX" not in roles(item)


def test_technical_meeting_is_not_the_conference_it_prepares(news):
    # "la Reunión Técnica de Consulta preparatoria de la XXIII CSM, … el 16 de septiembre de 2025"
    [meeting] = news["reunion-tecnica-consulta-septiembre-2025"]
    assert meeting.key == "csm/technical-meeting/2025"
    assert meeting.kind == Kind.TECHNICAL_MEETING
    assert meeting.start == meeting.end == date(2025, 9, 16)


def test_intersessional_meeting_in_montevideo(news):
    [meeting] = news["reunion-intersesional-montevideo-2025"]
    assert meeting.key == "csm/intersessional/2025-2"
    assert (meeting.start, meeting.end) == (date(2025, 8, 5), date(2025, 8, 6))  # "Del 5 al 6 de agosto de 2025"
    assert roles(meeting)["URY"] == Role.HOST


def test_news_that_mentions_the_previous_conference_makes_no_event(news):
    # "la XXII Conferencia Suramericana sobre Migraciones, celebrada en 2024"
    assert news["balance-xxii-csm"] == []


def test_publication_date_from_the_listing_when_the_page_has_none():
    spider, _ = make_spider()
    listed = ListedItem(f"{LIVE}/es/noticias/brasilia-xxiii", "Brasilia recibirá la XXIII CSM", date(2025, 7, 8))
    response = file_response("csm/news_without_time_element.html", listed.url)
    [conference], _ = split(spider.parse_news(response, listed=listed))
    # "los días 18 y 19 de noviembre" has no year: the listing's date (July 2025) gives it
    assert (conference.start, conference.end) == (date(2025, 11, 18), date(2025, 11, 19))


def test_listing_follows_items_and_next_page_on_the_copy():
    spider, _ = make_spider(COPY)
    response = file_response("csmigraciones.org/es/noticias@page=0", f"{COPY}/es/noticias?page=0")
    _, requests = split(spider.parse_listing(response, page=0))
    urls = [r.url for r in requests]
    assert f"{COPY}/es/noticias/brasil-sede-xxiii-csm" in urls
    assert urls[-1] == f"{COPY}/es/noticias?page=1"
    assert len(urls) == 4


def test_listing_pagination_is_bounded():
    spider, _ = make_spider()
    response = file_response("csmigraciones.org/es/noticias@page=0", f"{LIVE}/es/noticias?page=0")
    _, requests = split(spider.parse_listing(response, page=MAX_LISTING_PAGES - 1))
    assert not any("page=" in r.url for r in requests)


def test_start_issues_the_listing_request():
    spider, _ = make_spider(COPY)

    async def first():
        return [r async for r in spider.start()]

    assert [r.url for r in asyncio.run(first())] == [f"{COPY}/es/noticias?page=0"]


@pytest.mark.parametrize("index", range(3))
def test_every_item_meets_the_contract(items, index):
    assert len(items) == 3
    item = items[index]
    validate(item, known_bodies=body_codes(), known_states=set(all_states()))
    assert item.body == "CSM" and item.source_name == "csm_news" and item.priority == 50
    assert item.key.startswith("csm/") and item.all_day and item.evidence
    assert item.source_url.startswith(f"{LIVE}/es/noticias/")
