"""Charset handling for pages whose declared charset is missing or wrong."""

from __future__ import annotations

import codecs

from newsledger.extract.encoding import decode, sniff_meta_charset

RU = "Паромная переправа через залив возобновит работу в апреле после двухлетнего перерыва. " * 4
FR = "Les cafés de la place du marché «accueillent» les nouvelles règles — une heure de plus, 12 € le mètre. " * 3
EN = "Caf\u00e9 owners \u201cwelcome\u201d the council\u2019s new terrace rules \u2014 for \u20ac12 a square metre. " * 3


def test_utf8_wins_over_a_latin1_label():
    assert decode(EN.encode("utf-8"), "iso-8859-1") == EN


def test_bom_is_dropped():
    assert decode(codecs.BOM_UTF8 + "ok é".encode("utf-8")) == "ok é"
    assert decode("ok é".encode("utf-16")) == "ok é"


def test_cp1252_labelled_latin1_reads_as_cp1252():
    assert decode(EN.encode("cp1252"), "ISO-8859-1") == EN
    assert decode(FR.encode("cp1252"), "latin-1") == FR


def test_cp1251_without_label_or_with_wrong_label():
    data = RU.encode("cp1251")
    for declared in (None, "iso-8859-1", "windows-1252", "utf-8", "no-such-charset"):
        assert decode(data, declared) == RU, declared


def test_correct_non_latin_label_is_trusted():
    assert decode(RU.encode("koi8-r"), "koi8-r") == RU


def test_meta_charset_used_when_header_is_silent():
    page = b'<html><head><meta charset="koi8-r"></head><body>' + RU.encode("koi8-r") + b"</body></html>"
    assert sniff_meta_charset(page) == "koi8-r"
    assert RU in decode(page)
    page = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">' + RU.encode("cp1251")
    assert sniff_meta_charset(page) == "cp1251"
    assert decode(page).endswith(RU)
