"""Russian and Ukrainian analysis on fictional sentences (tests/fixtures/*_fictional.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsledger.analyze.lang.common import nominative_person, nominative_phrase, translit_key
from newsledger.schema import Article

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def analyzer():
    from newsledger.analyze.pipeline import Analyzer

    return Analyzer()


def analyse(analyzer, name: str, lang: str):
    return analyzer.analyze_one(Article(id=name, text=(FIX / name).read_text(encoding="utf-8"), language=lang))


@pytest.mark.parametrize("names", [
    ("Северск", "Сіверськ", "Siversk", "Seversk"),
    ("Игорь Коротченко", "Igor Korotchenko", "Ігор Коротченко", "Ihor Korotchenko"),
    ("Харьков", "Харків", "Kharkiv", "Kharkov"),
    ("Киев", "Київ", "Kyiv", "Kiev"),
    ("Зеленский", "Зеленський", "Zelensky", "Zelenskyy"),
])
def test_translit_key_links_spellings(names):
    assert len({translit_key(n) for n in names}) == 1


def test_translit_key_keeps_different_names_apart():
    assert translit_key("Бахмут") != translit_key("Артемовск")
    assert translit_key("Северск") != translit_key("Славянск")
    assert translit_key("") is None


@pytest.mark.parametrize("lang,name,nominative", [
    ("ru", "Игоря Коротченко", "Игорь Коротченко"),
    ("ru", "Марии Захаровой", "Мария Захарова"),
    ("ru", "Сергея Шойгу", "Сергей Шойгу"),
    ("uk", "Олексія Руденка", "Олексій Руденко"),
    ("uk", "Андрієві Коваленку", "Андрій Коваленко"),
])
def test_nominative_person(lang, name, nominative):
    assert nominative_person(lang, name) == nominative


@pytest.mark.parametrize("lang,phrase,nominative", [
    ("ru", "Донецкой Народной Республике", "Донецкая Народная Республика"),
    ("ru", "мэрии Москвы", "мэрия Москвы"),
    ("ru", "официального представителя МИД России", "официальный представитель МИД России"),
    ("uk", "міністра оборони України", "міністр оборони України"),
])
def test_nominative_phrase(lang, phrase, nominative):
    assert nominative_phrase(lang, phrase) == nominative


def test_russian_article_entities(analyzer):
    res = analyse(analyzer, "ru_tass_fictional.txt", "ru")
    people = {e.canonical: e for e in res.entities if e.label == "PERSON"}
    assert {"Игорь Коротченко", "Мария Захарова", "Денис Пушилин"} <= set(people)
    assert people["Игорь Коротченко"].descriptor == "военный эксперт"
    assert people["Игорь Коротченко"].key == translit_key("Igor Korotchenko")
    assert people["Мария Захарова"].descriptor == "официальный представитель МИД России"
    # A later surname-only mention links to the full name.
    assert sum(e.canonical == "Игорь Коротченко" for e in res.entities) >= 2
    places = {p.name for p in res.places}
    assert {"Slovyansk", "Horlivka", "Bakhmut", "Russia"} <= places


def test_ukrainian_article_entities(analyzer):
    res = analyse(analyzer, "uk_ministry_fictional.txt", "uk")
    people = {e.canonical: e for e in res.entities if e.label == "PERSON"}
    assert {"Андрій Коваленко", "Олексій Руденко"} <= set(people)
    assert people["Андрій Коваленко"].descriptor == "речник Генерального штабу ЗСУ"
    assert people["Олексій Руденко"].descriptor == "міністр оборони України"
    orgs = {e.canonical for e in res.entities if e.label == "ORG"}
    assert "Міністерство оборони України" in orgs
    places = {p.name for p in res.places}
    assert {"Siversk", "Bakhmut", "Kupyansk", "Ukraine", "Donetsk Oblast"} <= places
    siversk = next(e for e in res.entities if e.text == "Сіверська")
    assert siversk.canonical == "Сіверськ" and siversk.key == translit_key("Siversk")


def test_ukrainian_apostrophe_stays_in_the_word():
    from newsledger.analyze.lang.common import tokenize

    text = "Біля Куп'янська і пам’ятника."
    toks, _ = tokenize(text)
    assert [text[s:e] for s, e in toks] == ["Біля", "Куп'янська", "і", "пам’ятника", "."]


def test_cyrillic_doc_keeps_text_and_offsets():
    from newsledger.analyze.lang import make_doc

    text = "  Глава ДНР Денис Пушилин\n\nзаявил:  «Всё  спокойно».\n"
    doc = make_doc("ru", text)
    assert doc.text == text
    assert all(text[e.start_char:e.end_char] == e.text for e in doc.ents)
    assert len(list(doc.sents)) >= 1


def test_english_articles_do_not_load_cyrillic_models():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from newsledger.analyze.pipeline import Analyzer\n"
        "from newsledger.schema import Article\n"
        "Analyzer().analyze_one(Article(id='e', text='Igor Korotchenko said Seversk was taken.', language='en'))\n"
        "print(sorted(m for m in ('slovnet', 'navec', 'pymorphy3', 'razdel') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_language_gets_no_doc(analyzer):
    res = analyzer.analyze_one(Article(id="de", text="Der Bürgermeister von Berlin sagte am Montag.", language="de"))
    assert res.entities == [] and res.quotes == []


@pytest.mark.parametrize("lang,sentence,term,neutral", [
    ("ru", "Подразделения завершили освобождение Северска.", "освобождение", "взятие под контроль (захват)"),
    ("ru", "Цели СВО будут достигнуты.", "специальная военная операция", "война; вторжение в Украину"),
    ("ru", "Удары киевского режима по Горловке продолжаются.", "киевский режим", "украинское правительство"),
    ("ru", "Бои у Артемовска не стихают.", "Артемовск", "Бахмут"),
    ("uk", "Окупанти обстріляли Херсон.", "окупація", "контроль Росії"),
    ("uk", "Рашисти знову атакували село.", "рашисти", "російські військові"),
    ("uk", "Росія є терористичною державою, заявив речник.", "терористична держава", "Росія"),
])
def test_framing_lexicons(lang, sentence, term, neutral):
    from newsledger.analyze.framing import find_framing, lexicon

    entries = [e for e in lexicon() if e.lang in (None, lang)]
    found = {f.term: f for f in find_framing(sentence, entries)}
    assert term in found and found[term].neutral == neutral


def test_framing_lexicon_stays_in_its_language():
    from newsledger.analyze.framing import find_framing, lexicon

    ru_only = [e for e in lexicon() if e.lang in (None, "ru")]
    assert not any(f.term == "окупація" for f in find_framing("окупанти", ru_only))
    en_only = [e for e in lexicon() if e.lang is None]
    assert find_framing("Подразделения завершили освобождение.", en_only) == []


def _quotes(analyzer, text: str, lang: str):
    return analyzer.analyze_one(Article(id="q", text=text, language=lang)).quotes


def test_russian_quotes_and_speakers(analyzer):
    res = analyse(analyzer, "ru_tass_fictional.txt", "ru")
    by_text = {q.text: q for q in res.quotes}
    direct = by_text["Противник понёс серьёзные потери и отошёл к Славянску"]
    assert direct.kind == "direct" and direct.speaker == "Игорь Коротченко" and direct.cue == "сказал"
    reported = next(q for q in res.quotes if q.cue == "По словам")
    assert reported.kind == "indirect" and reported.speaker == "Мария Захарова"
    assert reported.text == "киевский режим продолжает обстрелы Горловки"
    assert any(q.cue == "Как сообщил" and q.speaker == "Денис Пушилин" for q in res.quotes)
    # A unit's name in quotes is not speech.
    assert "Юг" not in by_text


def test_ukrainian_quotes_and_speakers(analyzer):
    res = analyse(analyzer, "uk_ministry_fictional.txt", "uk")
    direct = next(q for q in res.quotes if q.kind == "direct")
    assert direct.text.startswith("Ворог намагався") and direct.speaker == "Андрій Коваленко" and direct.cue == "заявив"
    assert any(q.cue == "За словами" and q.speaker == "Олексій Руденко" for q in res.quotes)
    said_that = next(q for q in res.quotes if q.cue == "повідомив")
    assert said_that.speaker == "Андрій Коваленко" and said_that.text.startswith("Сили оборони")


def test_dash_dialogue_and_pronoun(analyzer):
    text = ("Командир батальона Олег Сидоренко вышел к журналистам.\n"
            "— Позиции удерживаем, подкрепление уже на подходе, — сказал он.\n")
    (q,) = _quotes(analyzer, text, "ru")
    assert q.kind == "direct" and q.text == "Позиции удерживаем, подкрепление уже на подходе"
    assert q.speaker == "Олег Сидоренко" and q.speaker_mention.text == "он"


def test_ukrainian_guillemets_before_colon(analyzer):
    text = "Речниця Міністерства оборони України Олена Бондар заявила: «Ситуація на фронті стабільна і контрольована»."
    (q,) = _quotes(analyzer, text, "uk")
    assert q.kind == "direct" and q.speaker == "Олена Бондар"


def _claims(analyzer, text: str, lang: str):
    return analyzer.analyze_one(Article(id="c", text=text, language=lang)).claims


@pytest.mark.parametrize("lang,sentence,typ,place,code", [
    ("ru", "Подразделения ВС РФ освободили Северск в Донецкой Народной Республике.", "TAKE_CONTROL", "Siversk", "RUS"),
    ("ru", "Российские войска взяли под контроль Курахово.", "TAKE_CONTROL", "Kurakhove", "RUS"),
    ("ru", "Российские подразделения заняли Угледар.", "TAKE_CONTROL", "Vuhledar", "RUS"),
    ("ru", "ВСУ отбили Купянск у российских войск.", "TAKE_CONTROL", "Kupyansk", "UKR"),
    ("ru", "Украинские войска отступили из Авдеевки.", "LOSE_CONTROL", "Avdiyivka", "UKR"),
    ("uk", "ЗСУ звільнили Херсон від окупантів.", "TAKE_CONTROL", "Kherson", "UKR"),
    ("uk", "Російські війська окупували Мар'їнку.", "TAKE_CONTROL", "Mar'yinka", "RUS"),
    ("uk", "Українські захисники відійшли з Авдіївки.", "LOSE_CONTROL", "Avdiyivka", "UKR"),
    ("uk", "Сили оборони відбили атаки окупантів біля Часового Яру.", "CONTESTED", None, "UKR"),
])
def test_territorial_claims(analyzer, lang, sentence, typ, place, code):
    claims = _claims(analyzer, sentence, lang)
    c = next(c for c in claims if c.type == typ)
    assert c.actor is not None and c.actor.code == code
    if place:
        assert c.place is not None and c.place.name == place


@pytest.mark.parametrize("lang,sentence,modality", [
    ("ru", "Минобороны России опровергло сообщения о том, что ВСУ заняли Покровск.", "denied"),
    ("ru", "Если ВСУ займут Покровск, фронт сдвинется.", "conditional"),
    ("ru", "ВСУ пытались захватить Покровск.", "attempted"),
    ("uk", "Генштаб спростував, що окупанти захопили Покровськ.", "denied"),
    ("uk", "Якщо ЗСУ звільнять Покровськ, фронт зсунеться.", "conditional"),
    ("uk", "Окупанти намагалися захопити Покровськ.", "attempted"),
])
def test_claim_modality(analyzer, lang, sentence, modality):
    (c, *_) = [c for c in _claims(analyzer, sentence, lang) if c.type == "TAKE_CONTROL"]
    assert c.modality == modality


def test_claims_from_fixture_are_attributed(analyzer):
    res = analyse(analyzer, "ru_tass_fictional.txt", "ru")
    take = next(c for c in res.claims if c.type == "TAKE_CONTROL")
    assert take.place.name == "Siversk" and take.actor.code == "RUS"
    assert take.attributions[0].name == "Игорь Коротченко" and take.attributions[0].role == "asserts"
    res = analyse(analyzer, "uk_ministry_fictional.txt", "uk")
    denied = next(c for c in res.claims if c.modality == "denied")
    assert denied.type == "LOSE_CONTROL" and denied.place.name == "Siversk"
    assert denied.attributions[0].name == "Міністерство оборони України" and denied.attributions[0].role == "denies"


@pytest.mark.parametrize("word,stems", [
    ("Северска", ("северск",)), ("Северском", ("северск",)), ("Сіверська", ("сіверськ",)),
    ("Київ", ("київ", "києв")), ("Києва", ("києв", "київ")), ("Харків", ("харків", "харков", "харкев")),
])
def test_search_stems(word, stems):
    from newsledger.analyze.lang.stem import search_stems

    assert search_stems(word) == stems


def test_search_finds_every_case_form(tmp_path):
    from newsledger.schema import Analysis, Source
    from newsledger.store import open_store

    store = open_store(tmp_path / "ru.db")
    try:
        for i, (lang, text) in enumerate([
            ("ru", "Бои за Северск продолжаются."),
            ("ru", "Под Северском отбиты атаки."),
            ("uk", "Ворог обстрілює околиці Сіверська та Києва."),
            ("ru", "Северная Корея провела учения."),
        ]):
            art = Article(id=f"{i:016x}", url=f"https://example.org/{i}", title=f"t{i}", language=lang, text=text,
                          source=Source(name="Example", domain="example.org"))
            store.upsert(Analysis(art, [], [], [], [], []))
        assert {h.id for h in store.search("Северска")} == {f"{0:016x}", f"{1:016x}"}
        assert {h.id for h in store.search("Сіверськ")} == {f"{2:016x}"}
        assert {h.id for h in store.search("Київ")} == {f"{2:016x}"}
        assert {h.id for h in store.search('"Северском"')} == {f"{1:016x}"}  # a phrase stays exact
    finally:
        store.close()


def test_russian_and_english_reports_of_one_capture_are_one_story(tmp_path, analyzer):
    from newsledger import stories
    from newsledger.api import queries
    from newsledger.schema import Source
    from newsledger.store import open_store

    en = Article(
        id="e" * 16, url="https://en.example/1", title="Russia says its forces liberated Seversk",
        published="2026-11-20T10:00:00+00:00", language="en",
        text=("Russian forces have liberated Seversk in the Donetsk People's Republic, military expert Igor "
              "Korotchenko said on Friday.\n\n\"The enemy suffered heavy losses and retreated towards Slavyansk,\" "
              "Korotchenko said."),
        source=Source(name="Example News", domain="en.example", country="GB"))
    ru = Article(
        id="f" * 16, url="https://ru.example/1", title="Армия России освободила Северск",
        published="2026-11-20T12:00:00+00:00", language="ru",
        text=(FIX / "ru_tass_fictional.txt").read_text(encoding="utf-8"),
        source=Source(name="Пример", domain="ru.example", country="RU"))
    db = tmp_path / "s.db"
    store = open_store(db)
    try:
        for art in (en, ru):
            store.upsert(analyzer.analyze_one(art))
        stories.update(store, [en.id, ru.id])
        (story,) = stories.list_stories(store, min_size=1)
        assert story["size"] == 2
    finally:
        store.close()
    res = queries.compare(queries.Reader(str(db)), entity=None, place=None, claim_type="TAKE_CONTROL",
                          since=None, until=None, limit=10, offset=0)
    framing = {i["source"]: {t["term"] for t in i["framing"]} for i in res["items"]}
    assert "liberation" in framing["en.example"] and "освобождение" in framing["ru.example"]


def test_hostile_cyrillic_text_never_breaks_analysis(analyzer):
    import random

    rnd = random.Random(13)
    alphabet = list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯІЇЄҐ") + list(
        " \n\t.,:;!?—–-«»„“‹›\"'’ʼ()…0123456789") + ["\u200b", "\ufeff", "😀", "\u0301", "\ud800"]
    words = ["Северск", "Сіверська", "ВСУ", "освободили", "звільнили", "«", "»", "—", "сказал", "заявив",
             "по словам", "Игоря Коротченко", "вул.", "ТОВ", "О.", "позывным", "если", "\n\n— ", ", — сказал он."]
    for i in range(30):
        if i % 2:
            text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 200)))
        else:
            text = " ".join(rnd.choice(words + alphabet) for _ in range(rnd.randint(0, 40)))
        for lang in ("ru", "uk"):
            res = analyzer.analyze_one(Article(id="z", text=text, language=lang))
            body = res.article.text
            for rec in [*res.entities, *res.places]:
                assert body[rec.start:rec.end] == rec.text
            for q in res.quotes:
                assert 0 <= q.start <= q.end <= len(body)


@pytest.mark.parametrize("lang,text,quote,speaker", [
    ("ru", "‹Обстановка под контролем›, — сказал мэр Горловки Иван Приходько.", "Обстановка под контролем",
     "Иван Приходько"),
    ("ru", "„Мы не отдадим Лиман“, — сказала местная жительница Ольга Петренко.", "Мы не отдадим Лиман",
     "Ольга Петренко"),
    ("uk", "Командир роти Тарас Мельник вийшов до журналістів.\n— Позиції утримуємо, підкріплення вже йде, — заявив він.",
     "Позиції утримуємо, підкріплення вже йде", "Тарас Мельник"),
])
def test_quote_marks_and_dialogue(analyzer, lang, text, quote, speaker):
    quotes = _quotes(analyzer, text, lang)
    q = next(q for q in quotes if q.text == quote)
    assert q.kind == "direct" and q.speaker == speaker
