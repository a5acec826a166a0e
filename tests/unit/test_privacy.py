"""insights.masking: e-mails, phones and document numbers out of customers' text, the message still readable."""

import pytest

from insights.masking import DOCUMENT, EMAIL, PHONE, has_personal_data, mask

EMAILS = [
    "ana.perez@empresa.com.co",
    "ANA_PEREZ@Empresa.CO",
    "facturacion+dian@mi-empresa.com",
    "j.gomez@gmail.com",
    "ana @ empresa.co",
    "contabilidad(at)empresa.com.co",
    "soporte.cliente123@sub.dominio.org",
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
    "(601) 7442727",
    "(601) 744 2727",
    "601 744 2727",
    "601-744-2727",
    "6017442727",
    "(604) 444 5566",
    "+57 (601) 744 2727",
    "+57 601 7442727",
    "(1) 7442727",
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
    "7442727",
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
            "llámeme al +57 300 123 4567 o al (601) 7442727 ext 12, o escriba a ana.perez@empresa.com.co")
    assert mask(text) == ("Hola, soy de la empresa NIT [documento], mi cédula es [documento], "
                          "llámeme al [teléfono] o al [teléfono] ext 12, o escriba a [correo]")


@pytest.mark.parametrize("text", [
    "¿atienden el sábado a las 8:00 a. m.?",
    "el 8 de diciembre es festivo",
    "la factura del 2026-11-30 y la del 30/11/2026",
    "tengo el caso 45821 abierto",
    "radicado No. 2024-1187",
    "son 3 usuarios y 12 equipos",
    "cuesta 12.500 pesos",
    "el token modelo ePass 2003",
    "",
])
def test_text_without_personal_data_is_left_as_it_is(text):
    assert mask(text) == text
    assert not has_personal_data(text)


def test_none_is_an_empty_text():
    assert mask(None) == ""


def test_two_masks_never_touch_which_rasa_would_read_as_markup():
    masked = mask("ana@empresa.co(601) 7442727")
    assert masked == "[correo] [teléfono]"


def test_masking_is_stable():
    once = mask("cel 3001234567, cc 79.123.456, ana@empresa.co")
    assert mask(once) == once


def test_published_contacts_can_be_kept_in_the_assistants_messages():
    said = ("Llame a la línea de soporte (601) 7442727, opción 2, o a la línea 24/7 (57) 318 717 49 37; "
            "su caso 9001234567 quedó anotado. Escriba a soporte@empresa.co")
    keep = {"(601) 7442727", "(57) 318 717 49 37", "soporte@empresa.co"}
    assert mask(said, keep=keep) == (
        "Llame a la línea de soporte (601) 7442727, opción 2, o a la línea 24/7 (57) 318 717 49 37; "
        "su caso [documento] quedó anotado. Escriba a soporte@empresa.co")
    assert "(601) 7442727" not in mask(said)
