"""helpdesk.privacy.mask: personal data out of customers' text whatever way it is written, the rest kept.

Two kinds of test: hand-written shapes (each with the label it gets), and a generated set of
Colombian values (cédulas, NITs, mobiles, landlines, cards, accounts, e-mails) written in
every grouping and disguise a person or a probe uses, planted in Spanish sentences, that must
leave nothing behind; plus the texts that must come out unchanged.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from helpdesk.privacy import (
    DOCUMENT,
    EMAIL,
    PHONE,
    csv_cell,
    has_personal_data,
    mask,
    normalise,
    printable,
    published_contacts,
)

# ------------------------------------------------------------------ hand-written shapes

EMAILS = [
    "ana.perez@empresa.com.co",
    "ANA_PEREZ@Empresa.CO",
    "facturacion+dian@mi-empresa.com",
    "j.gomez@gmail.com",
    "ana @ empresa.co",
    "contabilidad(at)empresa.com.co",
    "soporte.cliente123@sub.dominio.org",
    "ana.perez(arroba)empresa.com",
    "ana.perez (arroba) empresa.com",
    "ana.perez arroba empresa.com.co",
    "ana.perez at empresa.com",
    "ana.perez[at]empresa.com",
    "ana.perez＠empresa.com",
    "ana . perez @ empresa . com . co",
    "ana.perez arroba empresa punto com",
    "ana@empresa",
]
PHONES = [
    "+57 300 123 4567",
    "+573001234567",
    "57 300 123 4567",
    "0057 315 987 6543",
    "3001234567",
    "300 123 4567",
    "300-123-4567",
    "300.123.45.67",
    "(601) 7442728",
    "(601) 744 2728",
    "601 744 2728",
    "601-744-2728",
    "6017442728",
    "(604) 444 5566",
    "+57 (601) 744 2728",
    "+57 601 7442728",
    "(1) 7442728",
    "(334) 573-2445",
    "351-20-40-182",
    "3 1 5 8 8 2 1 9 0 4",
    "3OO 123 4567",
    "３００１２３４５６７",
]
DOCUMENTS = [
    "900.123.456-7",
    "900123456-7",
    "900 123 456-7",
    "900123456 - 7",
    "9001234567",
    "900123456",
    "860.034.313-7",
    "1.020.304.050",
    "1020304050",
    "79.123.456",
    "79123456",
    "52123456",
    "1.234.567",
    "1234567",
    "123.456",
    "123456",
    "7442728",
    "1 095 509 181",
    "1-055-697-364",
    "54,564,363",
    "53_805_346",
    "970 023 395 9",
    "920,078,468-8",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "045-123456-78",
    "1O95509181",
    "10\u200b95509181",
    "1095\u2060509\u200d181",
    "2024-1187",  # a case number of six or more digits is masked too (documented)
]
LABEL = {**{e: EMAIL for e in EMAILS}, **{p: PHONE for p in PHONES}, **{d: DOCUMENT for d in DOCUMENTS}}


@pytest.mark.parametrize("value", EMAILS + PHONES + DOCUMENTS)
def test_each_shape_alone_is_replaced_by_its_label(value):
    assert mask(value) == LABEL[value]


@pytest.mark.parametrize("value", EMAILS + PHONES + DOCUMENTS)
def test_each_shape_inside_a_sentence_keeps_the_words_around_it(value):
    masked = mask(f"buenas, mi dato es {value}, gracias")
    assert masked == f"buenas, mi dato es {LABEL[value]}, gracias"
    assert not any(ch.isdigit() for ch in masked)


@pytest.mark.parametrize("value", PHONES + DOCUMENTS)
def test_digits_glued_to_words_are_masked_too(value):
    masked = mask(f"nit{value}ok")
    assert not any(ch.isdigit() for ch in masked), masked


def test_a_message_with_everything_reads_well():
    text = ("Hola, soy de la empresa NIT 900.123.456-7, mi cédula es 1.020.304.050, "
            "llámeme al +57 300 123 4567 o al (601) 7442728 ext 12, o escriba a ana.perez@empresa.com.co")
    assert mask(text) == ("Hola, soy de la empresa NIT [documento], mi cédula es [documento], "
                          "llámeme al [teléfono] o al [teléfono] ext 12, o escriba a [correo]")


def test_none_is_an_empty_text():
    assert mask(None) == ""


def test_two_masks_never_touch_which_rasa_would_read_as_markup():
    assert mask("ana@empresa.co(601) 7442728") == "[correo] [teléfono]"
    assert mask("[x](3001234567)") == "[x] [teléfono]"


def test_masking_is_stable():
    once = mask("cel 3001234567, cc 79.123.456, ana@empresa.co, 1 095 509 181")
    assert mask(once) == once


def test_normalising_removes_format_characters_and_reads_full_width_forms():
    assert normalise("a\u200bb\u202ec\u2066d\u00ade\ufefff") == "abcdef"
    assert normalise("ＡＢＣ　１２３") == "ABC 123"
    assert mask("Hola\u202e 1095509181") == "Hola [documento]"


# ------------------------------------------------------------------ the generated set

SEPARATORS = [" ", ".", ",", "-", "_", " - ", ". ", ", "]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202c",
             "\u202e", "\u2066", "\u2069", "\u061c", "\u180e"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
TEMPLATES = [
    "{v}",
    "mi cédula es {v}",
    "Hola, buenas noches. Mi número es {v}, llámenme después de las 7:00 p. m. por favor",
    "NIT {v} de la empresa, el token no funciona desde el 8 de diciembre",
    "le escribo desde el {v} porque no puedo firmar",
    "cc:{v}",
    "El número{v}es el mío",
    "({v})",
    "datos: {v}.",
    "el 08/12/2026 a las 19:00 intenté con {v} y nada",
    "caso 45821: titular {v}, renovación para el 2026-12-08",
    "urgente!!! {v} \n otra línea",
    "Buenos días\tmi documento {v}\r\nGracias",
    "{v} es mi dato, el caso es el 12345",
    "por favor devolver la llamada al {v} o escribir a soporte",
    "¿pueden verificar {v}? gracias de antemano",
]
FIRST = ["ana", "luis", "maria", "jorge", "paula", "andres", "camila", "diego", "laura", "sofia", "juan", "valentina"]
LAST = ["perez", "gomez", "rodriguez", "martinez", "lopez", "garcia", "hernandez", "ramirez", "torres", "castro"]
DOMAINS = ["empresa.com.co", "gmail.com", "hotmail.com", "outlook.es", "mi-empresa.co", "notaria12.gov.co",
           "correo.unal.edu.co", "firma-digital.com"]


def _digits(rng: random.Random, n: int, first: str = "") -> str:
    return first + "".join(rng.choice("0123456789") for _ in range(n - len(first)))


def _only_digits(written: str) -> str:
    return re.sub(r"\D", "", written)


def _group(digits: str, sizes: list[int], sep: str) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(digits[i:i + size])
        i += size
    if i < len(digits):
        out.append(digits[i:])
    return sep.join(p for p in out if p)


def _thousands(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def _disguise(rng: random.Random, written: str) -> str:
    """What probes do to a number: an invisible character inside, O for 0, full-width digits."""
    kind = rng.random()
    if kind < 0.2:
        i = rng.randrange(1, len(written))
        return written[:i] + rng.choice(INVISIBLE) + written[i:]
    if kind < 0.3 and "0" in written:
        return written.replace("0", rng.choice("Oo"), 1)
    if kind < 0.35:
        return written.translate(FULL_WIDTH)
    return written


def cedulas(rng):
    for _ in range(110):
        n = rng.choice([6, 7, 8, 8, 10, 10])
        d = _digits(rng, n, rng.choice(["1", "7", "5", "4", "3", "8"]))
        sep = rng.choice(SEPARATORS)
        written = rng.choice([d, _thousands(d, "."), _thousands(d, sep), _group(d, [1, 3, 3, 3], sep),
                              _group(d, [2, 2, 2, 2, 2], sep), " ".join(d)])
        yield "cédula", _only_digits(written), rng.choice(["", "CC ", "C.C. ", "c.c ", "cédula "]) + _disguise(rng, written)


def nits(rng):
    for _ in range(90):
        d = _digits(rng, 9, rng.choice(["8", "9"]))
        dv = _digits(rng, 1)
        sep = rng.choice(SEPARATORS)
        base = rng.choice([d, _thousands(d, "."), _thousands(d, sep)])
        written = rng.choice([base, f"{base}-{dv}", f"{base} - {dv}", f"{base} {dv}", f"{base}{dv}"])
        yield "nit", _only_digits(written), rng.choice(["", "NIT ", "Nit. ", "nit: "]) + _disguise(rng, written)


def mobiles(rng):
    for _ in range(110):
        d = _digits(rng, 10, "3" + rng.choice("012502"))
        sep = rng.choice(SEPARATORS)
        written = rng.choice([
            d, _group(d, [3, 3, 4], sep), _group(d, [3, 3, 2, 2], sep), f"({d[:3]}) {d[3:6]}-{d[6:]}",
            _group(d, [3, 2, 2, 3], "-"), " ".join(d), f"+57 {_group(d, [3, 3, 4], ' ')}", f"+57{d}",
            f"57-{d[:3]}-{d[3:]}", f"0057 {d}", _group(d, [3, 3, 4], "."),
        ])
        yield "celular", _only_digits(written), _disguise(rng, written)


def landlines(rng):
    for _ in range(80):
        area = rng.choice(["601", "602", "604", "605", "606", "607", "608"])
        local = _digits(rng, 7, rng.choice("2345678"))
        d = area + local
        written = rng.choice([
            f"({area}) {local[:3]} {local[3:]}", f"({area}) {local}", f"{area} {local[:3]} {local[3:]}",
            f"{area}-{local[:3]}-{local[3:]}", f"+57 ({area}) {local[:3]}-{local[3:]}", f"+57 {area} {local}",
            f"{d}", f"({area[-1]}) {local}", f"{area}.{local[:3]}.{local[3:5]}.{local[5:]}",
        ])
        yield "fijo", _only_digits(written), _disguise(rng, written)


def cards(rng):
    for _ in range(70):
        d = _digits(rng, 16, rng.choice(["4", "5", "37"]))
        sep = rng.choice([" ", "-", ".", "  ", " - "])
        written = rng.choice([_group(d, [4, 4, 4, 4], sep), d, _group(d[:15], [4, 6, 5], sep)])
        yield "tarjeta", _only_digits(written), _disguise(rng, written)


def accounts(rng):
    for _ in range(70):
        d = _digits(rng, rng.choice([9, 10, 11, 12]))
        sep = rng.choice(["-", " ", "_", "."])
        written = rng.choice([_group(d, [3, 6], sep), _group(d, [4, 4], sep), _group(d, [3, 5, 2], sep), d,
                              _group(d, [2, 3, 3, 3], sep)])
        yield "cuenta", _only_digits(written), rng.choice(["", "cuenta de ahorros ", "cta. corriente No. ", "Nequi "]) + _disguise(
            rng, written)


def emails(rng):
    for _ in range(110):
        local = rng.choice([f"{rng.choice(FIRST)}.{rng.choice(LAST)}", f"{rng.choice(FIRST)}{rng.choice(LAST)}"
                            f"{rng.randint(1, 99)}", f"{rng.choice(FIRST)}_{rng.choice(LAST)}",
                            f"{rng.choice(FIRST)[0]}{rng.choice(LAST)}+dian"])
        domain = rng.choice(DOMAINS)
        at = rng.choice(["@", "＠", " @ ", "(arroba)", " (arroba) ", " arroba ", " at ", "[at]", " [arroba] ",
                         "(at)", " AT ", " Arroba "])
        spaced = rng.random() < 0.3
        dom = domain.replace(".", " . ") if spaced else domain
        loc = local.replace(".", " . ") if spaced and rng.random() < 0.5 else local
        if rng.random() < 0.15:
            dom = domain.replace(".", " punto ")
        yield "correo", f"{local}@{domain}", f"{loc}{at}{dom}"


GENERATORS = [cedulas, nits, mobiles, landlines, cards, accounts, emails]


def generated() -> list[tuple[str, str, str, str]]:
    """(kind, planted value, as written, sentence): the same set on every run (seeded)."""
    rng = random.Random(20261208)
    out = []
    for make in GENERATORS:
        for kind, value, written in make(rng):
            out.append((kind, value, written, rng.choice(TEMPLATES).format(v=written)))
    return out


def _runs(text: str) -> list[str]:
    """Every sequence of digits in ``text`` joined by anything but letters, as digits only."""
    text = unicodedata.normalize("NFKC", text)
    return [re.sub(r"\D", "", m) for m in re.findall(r"\d(?:[^\w]*\d|_*\d)*", text)]


def leaks(kind: str, value: str, masked: str) -> list[str]:
    """What survives of a planted value: six digits of it in a row, or the address."""
    if kind == "correo":
        local, domain = value.split("@")
        flat = re.sub(r"\s+", "", masked.lower())
        found = [part for part in (local, local.split(".")[0] + "." if "." in local else "") if part and part in flat]
        found += re.findall(r"\w[\w.+%\-]* *@ *[\w\-]+", masked)
        return found
    digits = value
    return [digits[i:i + 6] for i in range(len(digits) - 5) if any(digits[i:i + 6] in run for run in _runs(masked))]


def test_generated_colombian_values_leave_nothing_behind():
    cases = generated()
    kinds = {kind for kind, *_ in cases}
    assert len(cases) >= 500 and kinds == {"cédula", "nit", "celular", "fijo", "tarjeta", "cuenta", "correo"}
    keep = published_contacts()
    found = []
    for kind, value, written, sentence in cases:
        for output in (mask(sentence), mask(sentence, keep)):
            left = leaks(kind, value, output)
            if left:
                found.append((kind, written, sentence, output, left))
    assert found == [], f"{len(found)} leaks of {len(cases)}: {found[:10]}"


def test_the_leak_check_sees_a_leak():
    assert leaks("celular", "3158821904", "llame al 315 882 1904")
    assert leaks("celular", "3158821904", "llame al 3.1.5.8.8.2.1.9.0.4")
    assert not leaks("celular", "3158821904", "llame al [teléfono] a las 7:00")
    assert leaks("correo", "ana.perez@empresa.co", "escriba a ana.perez (arroba) [documento]")
    assert leaks("correo", "ana@empresa.co", "x ana@empresa.co")


def test_the_generated_sentences_keep_their_words_and_times():
    for _kind, _value, _written, sentence in generated():
        if "7:00 p. m." in sentence:
            assert "7:00 p. m." in mask(sentence)
        if "el 08/12/2026 a las 19:00" in sentence:
            assert "el 08/12/2026 a las 19:00" in mask(sentence)
        if "caso 45821" in sentence:
            assert "caso 45821" in mask(sentence) and "2026-12-08" in mask(sentence)


# ------------------------------------------------------------------ what stays

UNCHANGED = [
    "¿atienden el sábado a las 8:00 a. m.?",
    "de 7:00 a. m. a 7:00 p. m., y a las 19:00 cierran",
    "abren a las 7 y cierran a las 19",
    "lunes a viernes 7:00-19:00, sábados 8:00-13:00",
    "el 50% de 200 y 300 usuarios",
    "el 8 de diciembre es festivo",
    "el 8 de diciembre de 2026 no hay atención",
    "la factura del 2026-11-30 y la del 30/11/2026",
    "vence el 08-12-2026 o el 08.12.2026",
    "los días 2026-12-08, 2026-12-09 y 2026-12-10",
    "el 2026-12-08 19:00 intenté",
    "tengo el caso 45821 abierto",
    "caso #12345 y ticket 9876",
    "son 3 usuarios y 12 equipos",
    "cuesta 12.500 pesos",
    "cuesta $ 120.000 y la renovación $1.250.000",
    "pagué COP 350.000 por el token",
    "el plan vale 120.000 pesos al año",
    "el token modelo ePass 2003",
    "versión 3.6.21 del firmador",
    "la línea 24/7 (57) 318 717 49 37",
    "llamé al (601) 7442727 opción 2 y nadie contestó",
    "al 601 744 2727, al +57 601 744 2727 o al 7442727",
    "el supervisor en el (601) 745 2141 extensiones 1104, 1108 o 1102",
    "escribí a soporte.firmadigital@certicamara.com y a certicamararesponde@certicamara.com",
    "escribí a soporte.firmadigital (arroba) certicamara.com",
    "el 3 o 4 de enero",
    "No. 5 y N.º 7",
    "Necesito ayuda con mi firma digital, no me deja firmar el PDF",
    "",
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_text_without_personal_data_is_left_as_it_is(text):
    keep = published_contacts()
    expected = normalise(text)
    assert mask(text, keep) == expected
    assert not has_personal_data(text, keep)


def test_published_contacts_are_masked_only_without_keep():
    assert "(601) 7442727" not in mask("llame al (601) 7442727")
    assert mask("llame al (601) 7442727") == "llame al [teléfono]"


def test_published_contacts_come_from_the_schedule_file():
    keep = published_contacts()
    assert {"(601) 7442727", "(57) 318 717 49 37", "soporte.firmadigital@certicamara.com", "1104"} <= keep


def test_the_assistants_own_responses_are_left_as_they_are_with_the_published_contacts():
    import yaml

    from tests.conftest import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    keep = published_contacts()
    texts = [t for variations in domain["responses"].values() for v in variations
             for t in [v.get("text") or ""] + [b["title"] for b in v.get("buttons") or []]]
    assert len(texts) > 50
    changed = [(t, mask(t, keep)) for t in texts if mask(t, keep) != normalise(t)]
    assert changed == []


def test_a_published_number_next_to_a_customers_number_does_not_shelter_it():
    keep = published_contacts()
    assert mask("(601) 7442727 3001234567", keep) == "[documento]"
    assert mask("7442727 1095509181 y 1104", keep) == "[documento] y 1104"


def test_published_contacts_given_as_before_are_kept():
    said = ("Llame a la línea de soporte (601) 7442727, opción 2, o a la línea 24/7 (57) 318 717 49 37; "
            "su caso 9001234567 quedó anotado. Escriba a soporte@empresa.co")
    keep = {"(601) 7442727", "(57) 318 717 49 37", "soporte@empresa.co"}
    assert mask(said, keep=keep) == (
        "Llame a la línea de soporte (601) 7442727, opción 2, o a la línea 24/7 (57) 318 717 49 37; "
        "su caso [documento] quedó anotado. Escriba a soporte@empresa.co")


# ------------------------------------------------------------------ helpers for files


@pytest.mark.parametrize("cell", ["=1+1", "+57 300", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1",
                                  "=HYPERLINK(\"http://x\",\"y\")"])
def test_a_csv_cell_that_would_be_a_formula_gets_an_apostrophe(cell):
    assert csv_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["hola", "[documento]", "", " =no al inicio", 12, -3, 4.5, None])
def test_other_csv_cells_are_unchanged(cell):
    assert csv_cell(cell) == cell


def test_printable_removes_every_control_format_and_separator_character():
    every = "".join(chr(c) for c in [*range(0, 32), 127, *range(0x80, 0xA0)]) + "".join(INVISIBLE) + "\u2028\u2029"
    assert printable(f"a{every}b") == "a b"
    assert printable("hola\n- intent: x") == "hola - intent: x"
    assert printable("\ud800x\ufffe") == "x"


@pytest.mark.parametrize("written", [
    "1095/509/181", "1'095.509.181", "300 123     4567", "3 0 0 1 2    3 4 5 6 7", "300\n123\n4567",
    "3\ufe0f\u20e30\ufe0f\u20e30\ufe0f\u20e31\ufe0f\u20e32\ufe0f\u20e33\ufe0f\u20e3", "1\u0301095509181",
    "\u0661\u0660\u0669\u0665\u0665\u0660\u0669\u0661\u0668\u0661", "¹⁰⁹⁵⁵⁰⁹¹⁸¹", "300·123·4567", "300 O 123 4567",
])
def test_other_ways_of_writing_a_number_are_masked(written):
    masked = mask(f"mi número {written} gracias")
    assert masked.startswith("mi número [") and masked.endswith("] gracias"), masked
    assert not re.search(r"\d", masked), masked


@pytest.mark.parametrize("written", [
    "300:123:4567", "12:34:56:78:90", "[300] 123-4567", "«300» «123» «4567»", "300=123=4567", "3🙂0🙂0🙂1🙂2🙂3",
    "2026-12-08-55-12", "7:00 3001234567",
])
def test_any_punctuation_or_symbol_between_digits_joins_them(written):
    masked = mask(f"dato {written} fin")
    assert not re.search(r"\d{2}", re.sub(r"[^\d]", "", masked)), masked
