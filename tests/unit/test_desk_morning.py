"""The morning list (issue 20, point 4): critical incidents and requests for a person that arrived
when nobody could attend, read from the tracker store, ordered for the 7:00 shift, marked done by
whoever calls back."""

import json
import re
import sqlite3
import time
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from desk import morning
from insights.source import TrackerSource
from tests.desk_support import Agent, running_desk
from tools import stack

BOGOTA = ZoneInfo("America/Bogota")
SCHEMA = """CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def stamp(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=BOGOTA).timestamp()


class Store:
    """A tracker store with Rasa's events table, filled as the assistant fills it."""

    def __init__(self, path):
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute(SCHEMA)

    def add(self, sender, kind, at, **data):
        self.db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                        (sender, kind, at, json.dumps({"event": kind, "timestamp": at, **data})))
        self.db.commit()

    def said(self, sender, at, text):
        self.add(sender, "user", at, text=text)

    def answer(self, sender, at, kind, **slots):
        self.add(sender, "slot", at, name="answer_kind", value=kind)
        for name, value in slots.items():
            self.add(sender, "slot", at, name=name, value=value)

    def source(self):
        return TrackerSource("sqlite", str(self.path))


def night(store: Store, base: float = 0.0, at=stamp):
    """Saturday night and Sunday: two critical incidents, two requests for a person, one ordinary answer."""
    store.said("crit-late", at("2026-12-06T01:00") + base, "sigue caído el estampado, nadie contesta")
    store.answer("crit-late", at("2026-12-06T01:00") + base, "critical_only_priority_line")
    store.said("crit-early", at("2026-12-05T22:00") + base,
               "se cayó la firma, toda la operación detenida. Llámenme al 300 123 4567 o al (601) 7442727")
    store.answer("crit-early", at("2026-12-05T22:00") + base, "critical_only_priority_line",
                 affected_service="firma_digital", problem_description="no firma ninguna factura")
    store.said("person-early", at("2026-12-05T21:00") + base, "quiero hablar con una persona")
    store.answer("person-early", at("2026-12-05T21:00") + base, "human_unavailable")
    store.said("person-early", at("2026-12-05T21:01") + base, "escríbanme a juan.perez@empresa.com.co por favor")
    store.add("person-late", "bot", at("2026-12-06T03:00") + base, text="¡Hola!",
              data={"buttons": [{"title": "Hablar con un asesor", "payload": "/request_human"}]})
    store.said("person-late", at("2026-12-06T03:00") + base, "/request_human")
    store.answer("person-late", at("2026-12-06T03:00") + base, "human_unavailable")
    store.said("person-late", at("2026-12-06T03:01") + base, "el número es (601) 7442727 y nadie contesta")
    store.said("ordinary", at("2026-12-05T23:00") + base, "¿cuál es el correo?")
    store.answer("ordinary", at("2026-12-05T23:00") + base, "contact")


def test_the_list_is_ordered_for_the_morning_shift(tmp_path):
    store = Store(tmp_path / "tracker.db")
    night(store)
    items = morning.collect(store.source(), now=stamp("2026-12-07T06:55"))
    ordered = morning.order(items, {})
    assert [i.conversation_id for i in ordered] == ["crit-early", "crit-late", "person-early", "person-late"]
    first = ordered[0]
    assert first.key == "crit-early@2026-12-07" and first.shift == date(2026, 12, 7)  # Monday's 7:00 shift
    assert first.critical and first.reasons == ["Incidente crítico (prioridad 1) con los canales cerrados"]
    assert first.facts == {"Servicio": "Firma digital", "Problema": "no firma ninguna factura"}
    assert first.phones == ["300 123 4567"]  # the company's own line is not the customer's contact
    person = ordered[2]
    assert person.emails == ["juan.perez@empresa.com.co"] and person.phones == []
    assert [text for _, text in person.said] == ["quiero hablar con una persona",
                                                 "escríbanme a juan.perez@empresa.com.co por favor"]
    late = ordered[3]
    assert not late.reachable
    assert [text for _, text in late.said][0] == "(eligió: Hablar con un asesor)"


def test_done_items_go_last_latest_first(tmp_path):
    store = Store(tmp_path / "tracker.db")
    night(store)
    items = morning.collect(store.source(), now=stamp("2026-12-07T08:00"))

    class Mark:
        def __init__(self, at):
            self.done_at = at

    done = {"crit-early@2026-12-07": Mark(1.0), "person-early@2026-12-07": Mark(2.0)}
    assert [i.conversation_id for i in morning.order(items, done)] == [
        "crit-late", "person-late", "person-early", "crit-early"]


def test_only_the_last_seven_days(tmp_path):
    store = Store(tmp_path / "tracker.db")
    night(store)
    assert morning.collect(store.source(), now=stamp("2026-12-14T08:00")) == []


@pytest.mark.slow
def test_the_page_and_marking_done_with_who_and_when(tmp_path):
    store = Store(tmp_path / "tracker.db")
    # The same night, moved so that it happened in the last hours (the desk reads with its own clock).
    night(store, base=time.time() - stamp("2026-12-06T06:00"))
    env = {"DESK_TRACKER_STORE": f"sqlite:///{store.path}"}
    with running_desk(tmp_path / "desk", extra_env=env) as (desk, _):
        beto_password = "clave-beto-" + uuid.uuid4().hex
        stack.add_desk_agent(desk.db, "beto", "Beto", "asesor de soporte", beto_password)
        ana = Agent(desk)
        ana.login()
        page = ana.http.get(desk.url + "/manana", timeout=30).text
        assert "<h1>Lista de la mañana</h1>" in page and "4 pendientes por llamar." in page
        assert "m.." not in page
        keys = re.findall(r'<li class="morning-item[^"]*" data-key="([^"]+)"', page)
        assert [k.split("@")[0] for k in keys] == ["crit-early", "crit-late", "person-early", "person-late"]
        assert '<a href="tel:+573001234567">300 123 4567</a>' in page
        assert '<a href="mailto:juan.perez@empresa.com.co">juan.perez@empresa.com.co</a>' in page
        assert "No dejó teléfono ni correo: escribió por el chat del sitio web." in page
        assert "ordinary" not in page
        done = ana.http.post(desk.url + "/manana/hecho", timeout=30, headers={"Accept": "application/json"},
                             data={"csrf_token": ana.csrf, "key": keys[0], "note": "Ya le funciona"})
        assert done.status_code == 200 and done.json()["code"] == "llamado"
        assert re.fullmatch(r"Atendido por Ana el \w+ \d+ de \w+ a las? \d+:\d\d [ap]\. m\. Ya le funciona",
                            done.json()["done_text"]), done.json()["done_text"]
        page = ana.http.get(desk.url + "/manana", timeout=30).text
        assert "3 pendientes por llamar." in page
        keys_after = re.findall(r'data-key="([^"]+)"', page)
        assert keys_after[-1] == keys[0]  # done ones go last
        assert "Atendido por Ana el" in page and "Ya le funciona" in page
        # Someone else marks it later: the first mark (who really called) stays.
        beto = Agent(desk)
        beto.login("beto", beto_password)
        again = beto.http.post(desk.url + "/manana/hecho", timeout=30, headers={"Accept": "application/json"},
                               data={"csrf_token": beto.csrf, "key": keys[0]})
        assert again.json()["code"] == "ya-llamado" and again.json()["done_by"] == "Ana"
        forged = ana.http.post(desk.url + "/manana/hecho", data={"key": keys[1]}, timeout=30)
        assert forged.status_code == 403
        with sqlite3.connect(desk.db) as db:
            rows = db.execute("SELECT key, done_by, note FROM callbacks").fetchall()
        assert rows == [(keys[0], "Ana", "Ya le funciona")]
