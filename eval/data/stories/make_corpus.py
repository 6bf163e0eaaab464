"""Generate the fictional multi-outlet story corpus (corpus.jsonl) and its gold (gold.json).

Nine invented events of one December week, each told by a wire service,
reprinted whole or in part by other outlets, rewritten independently by
others and, for some, contradicted by an outlet of the other side. All
outlets, people and events are fictional; the places are real.
Run: .venv/bin/python eval/data/stories/make_corpus.py
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

HERE = Path(__file__).parent
WIRE = ("meridian-wire.example", "Meridian Wire")
REPRINTERS = [("lakeside-courier.example", "Lakeside Courier"), ("harbor-times.example", "Harbor Times"),
              ("valley-post.example", "Valley Post"), ("prairie-daily.example", "Prairie Daily")]
WRITERS = [("northwind-gazette.example", "Northwind Gazette"), ("baltic-observer.example", "Baltic Observer"),
           ("alpine-record.example", "Alpine Record"), ("coastal-tribune.example", "Coastal Tribune")]

# Each story: the facts every outlet tells in its own words. ``lead`` holds one opening per writer
# (wire first); ``claim`` is the gold event claim (type, place) whose first publisher is checked.
STORIES = [
    {
        "slug": "huliaipole", "day": "2025-12-03", "claim": ("TAKE_CONTROL", "Huliaipole"),
        "titles": ["Russia says its forces captured Huliaipole", "Moscow claims capture of Huliaipole in Zaporizhzhia",
                   "Russian army reports taking Huliaipole", "Huliaipole falls to Russian troops, Moscow says"],
        "lead": ["Russian forces captured the town of Huliaipole in Zaporizhzhia Oblast, the Russian Defence Ministry said on Wednesday.",
                 "The Russian Defence Ministry said on Wednesday that Russian troops had captured Huliaipole after weeks of fighting.",
                 "Russian troops seized Huliaipole, a town in the south-east of Ukraine, the Russian Defence Ministry announced on Wednesday.",
                 "Russian forces took control of Huliaipole, the Russian Defence Ministry claimed on Wednesday."],
        "quote": "Our units have fully liberated the settlement and are clearing the outskirts", "speaker": "Colonel Arkady Semyonov",
        "details": ["The ministry published drone footage it said showed troops raising a flag over the town hall.",
                    "Huliaipole had a population of about thirteen thousand people before the war began.",
                    "Independent verification of the footage was not possible."],
        "contra": ("kyiv-ledger.example", "Kyiv Ledger", "Ukrainian forces continue to hold Huliaipole, army says",
                   "Ukrainian forces continue to hold Huliaipole despite Russian claims that the town has been captured, the Southern Defence Forces said on Wednesday.\n\n“The enemy is lying about Huliaipole. Our brigades hold the town,” spokesperson Vladyslav Voloshyn told reporters.\n\nHe said Russian assault groups had been pushed back from the northern edge of the town overnight."),
    },
    {
        "slug": "odesa-port", "day": "2025-12-04", "claim": ("ASSAULT", "Odesa"),
        "titles": ["Drones hit Odesa port overnight, governor says", "Odesa port struck in overnight drone attack",
                   "Overnight drone strike damages grain terminal in Odesa", "Russian drones target Odesa harbour"],
        "lead": ["Russian drones struck the port of Odesa overnight, damaging a grain terminal and injuring four workers, Governor Mykola Darchenko said on Thursday.",
                 "Four port workers were injured when Russian drones attacked Odesa overnight, Governor Mykola Darchenko said on Thursday.",
                 "A grain terminal in Odesa was set on fire after Russian drones attacked the city overnight, Governor Mykola Darchenko said on Thursday.",
                 "Russian forces attacked the port of Odesa with drones overnight, Governor Mykola Darchenko said on Thursday."],
        "quote": "The terminal was hit twice and the fire was put out by morning, but exports will be delayed for several days", "speaker": "Mykola Darchenko",
        # One outlet quotes the governor with altered wording (gold: an alteration of this quote).
        "altered": "The terminal was hit three times and the fire was put out by morning, but exports will be delayed for weeks",
        "details": ["Air defence units shot down eleven of the fifteen drones launched at the region, the air force said.",
                    "Two ships moored nearby were not damaged, the port authority said.",
                    "Odesa's ports handle most of Ukraine's grain exports."],
    },
    {
        "slug": "kupiansk", "day": "2025-12-06", "claim": ("TAKE_CONTROL", "Kupiansk"),
        "titles": ["Russia claims full control of Kupiansk", "Moscow says Kupiansk captured", "Russian troops took Kupiansk, ministry claims",
                   "Kupiansk taken, says Russian General Staff"],
        "lead": ["Russian forces captured the city of Kupiansk in Kharkiv Oblast, the Russian General Staff said on Saturday.",
                 "The Russian General Staff said on Saturday that its troops had captured Kupiansk on the Oskil river.",
                 "Russian troops seized Kupiansk after a months-long offensive, the Russian General Staff claimed on Saturday.",
                 "Russian forces took full control of Kupiansk, the Russian General Staff said on Saturday."],
        "quote": "The city of Kupiansk is under the full control of our troops", "speaker": "General Pavel Rudenko",
        "details": ["The general spoke at a briefing broadcast on state television.",
                    "Kupiansk is an important rail junction east of Kharkiv.",
                    "The city was recaptured by Ukraine in September 2022."],
        "contra": ("kyiv-ledger.example", "Kyiv Ledger", "Ukrainian forces continue to hold Kupiansk",
                   "Ukrainian forces continue to hold Kupiansk and are clearing Russian infiltration groups from the city, the Joint Forces Task Force said on Saturday.\n\n“Kupiansk is Ukrainian. The claims of its capture are propaganda,” spokesperson Viktor Trehubov said.\n\nHe said fewer than forty Russian soldiers remained inside the city."),
    },
    {
        "slug": "prisoner-swap", "day": "2025-12-05", "claim": None,
        "titles": ["Russia and Ukraine swap 150 prisoners each", "Prisoner exchange returns 150 Ukrainians home",
                   "Kyiv and Moscow exchange prisoners of war", "Hundreds freed in prisoner exchange brokered by Qatar"],
        "lead": ["Russia and Ukraine exchanged 150 prisoners of war each on Friday in a swap mediated by Qatar, officials in both countries said.",
                 "One hundred and fifty Ukrainian prisoners of war came home on Friday in an exchange mediated by Qatar.",
                 "Ukraine and Russia swapped 150 prisoners of war apiece on Friday after talks mediated by Qatar.",
                 "A prisoner exchange mediated by Qatar freed 150 soldiers on each side on Friday, officials said."],
        "quote": "Every one of our people must come home, and we will keep working until they do", "speaker": "Dmytro Lubinets",
        "details": ["The freed Ukrainians included soldiers captured in Mariupol in 2022, the ombudsman said.",
                    "Qatari mediator Sheikh Hamad Al-Thani thanked both sides for their cooperation.",
                    "It was the third exchange since October."],
    },
    {
        "slug": "kharkiv-grid", "day": "2025-12-08", "claim": ("ASSAULT", "Kharkiv"),
        "titles": ["Missiles hit Kharkiv power plant, blackout follows", "Kharkiv without power after missile strike",
                   "Missile strike on Kharkiv thermal plant cuts electricity", "Russian missiles knock out Kharkiv power station"],
        "lead": ["Russian missiles struck a thermal power plant in Kharkiv on Monday, leaving much of the city without electricity, Mayor Ihor Terekhov said.",
                 "Much of Kharkiv lost power on Monday after Russian missiles hit the city's thermal power plant, Mayor Ihor Terekhov said.",
                 "A Russian missile attack on a Kharkiv power plant on Monday cut electricity to hundreds of thousands of people, Mayor Ihor Terekhov said.",
                 "Russian forces attacked Kharkiv with missiles on Monday, damaging a thermal power plant, Mayor Ihor Terekhov said."],
        "quote": "Engineers are already working, and we will restore heating to hospitals first", "speaker": "Ihor Terekhov",
        "details": ["Three missiles hit the plant's turbine hall, according to the regional energy company.",
                    "Metro trains stopped running for several hours.",
                    "Temperatures in the city fell below minus five degrees overnight."],
    },
    {
        "slug": "geneva-talks", "day": "2025-12-09", "claim": None,
        "titles": ["Energy truce talks open in Geneva", "Geneva hosts talks on halting strikes on power plants",
                   "Negotiators meet in Geneva on energy ceasefire", "Swiss-hosted talks seek pause in energy strikes"],
        "lead": ["Negotiators from Russia and Ukraine began talks in Geneva on Tuesday on a pause in strikes on energy infrastructure, the Swiss foreign ministry said.",
                 "Talks on a moratorium on attacks against power plants opened in Geneva on Tuesday, the Swiss foreign ministry said.",
                 "Russian and Ukrainian delegations met in Geneva on Tuesday to discuss halting strikes on energy facilities, Swiss diplomats said.",
                 "The Swiss foreign ministry said talks between Moscow and Kyiv on an energy truce had started in Geneva on Tuesday."],
        "quote": "Both delegations came with concrete proposals, which is a good start", "speaker": "Lena Aebischer",
        "details": ["The Swiss mediator said the first round would last two days.",
                    "The Ukrainian delegation is led by deputy foreign minister Serhiy Kyslytsia.",
                    "A previous energy moratorium collapsed in the spring."],
    },
    {
        "slug": "stepnohirsk", "day": "2025-12-10", "claim": ("TAKE_CONTROL", "Stepnohirsk"),
        "titles": ["Ukraine says it recaptured Stepnohirsk", "Ukrainian troops retake Stepnohirsk, Kyiv says",
                   "Kyiv reports recapture of Stepnohirsk", "Stepnohirsk back under Ukrainian control, army says"],
        "lead": ["Ukrainian forces recaptured the village of Stepnohirsk in Zaporizhzhia Oblast, the General Staff of Ukraine said on Wednesday.",
                 "The General Staff of Ukraine said on Wednesday that Ukrainian troops had retaken Stepnohirsk.",
                 "Ukrainian troops regained control of Stepnohirsk, a village south of Zaporizhzhia, the General Staff said on Wednesday.",
                 "Ukrainian forces took back Stepnohirsk after a night assault, the General Staff of Ukraine said on Wednesday."],
        "quote": "The village is ours again and the flag is flying over it", "speaker": "Oleksandr Syrskyi",
        "details": ["The assault was carried out by two mechanised brigades, the General Staff said.",
                    "Russian forces had entered the village in November.",
                    "The village lies on the road to the regional capital."],
        "contra": ("eastern-herald.example", "Eastern Herald", "Russian troops continue to hold Stepnohirsk",
                   "Russian forces continue to hold Stepnohirsk and repelled a Ukrainian attack on the village, a source in the Russian Defence Ministry told Eastern Herald on Wednesday.\n\n“Reports of the village being lost are fake. Our positions are intact,” the source said.\n\nThe source said Ukrainian units lost three armoured vehicles near the village."),
    },
    {
        # A second strike on Kharkiv two days after the power-plant strike: the same place, another story.
        "slug": "kharkiv-depot", "day": "2025-12-10", "claim": ("ASSAULT", "Kharkiv"),
        "titles": ["Drones hit Kharkiv tram depot", "Tram depot in Kharkiv damaged by drones",
                   "Kharkiv trams halted after depot struck", "Drone attack sets Kharkiv tram depot ablaze"],
        "lead": ["Russian drones hit a tram depot in Kharkiv early on Wednesday, destroying twelve trams, the city transport company said.",
                 "Twelve trams were destroyed when Russian drones struck a depot in Kharkiv on Wednesday, the city transport company said.",
                 "Tram services in Kharkiv were suspended on Wednesday after Russian drones attacked the main depot, the transport company said.",
                 "Russian forces attacked a Kharkiv tram depot with drones before dawn on Wednesday, the city transport company said."],
        "quote": "We will replace the trams, but the depot will take months to rebuild", "speaker": "Natalia Boiko",
        "details": ["No one was injured because the night shift had taken shelter, the company said.",
                    "Buses will replace trams on four routes until further notice.",
                    "The depot was built in 1906 and is one of the oldest in the country."],
    },
    {
        "slug": "dnipro-strike", "day": "2025-12-08", "claim": ("ASSAULT", "Dnipro"),
        "titles": ["Drone strike hits apartment block in Dnipro", "Dnipro apartment building hit by drone",
                   "Two killed as drone hits Dnipro high-rise", "Russian drone strikes residential building in Dnipro"],
        "lead": ["A Russian drone struck an apartment building in Dnipro on Monday evening, killing two people and injuring nine, Governor Serhiy Lysak said.",
                 "Two people were killed and nine injured when a Russian drone hit a residential building in Dnipro on Monday, Governor Serhiy Lysak said.",
                 "Russian forces attacked Dnipro with drones on Monday evening, hitting an apartment block, Governor Serhiy Lysak said.",
                 "A drone hit a high-rise in Dnipro on Monday, killing two residents, Governor Serhiy Lysak said."],
        "quote": "Rescuers are still searching the rubble for residents of the upper floors", "speaker": "Serhiy Lysak",
        "details": ["The drone hit the ninth floor of the sixteen-storey building, emergency services said.",
                    "Residents of neighbouring buildings were evacuated overnight.",
                    "Dnipro declared a day of mourning."],
    },
]

HOURS = [9, 11, 13, 15, 17, 19, 21]


def _page(outlet: str, title: str, published: str, text: str) -> str:
    """A minimal article page: the date and outlet in meta tags, one <p> per paragraph."""
    paras = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in text.split("\n\n"))
    t = html.escape(title)
    return (f"<html><head><title>{t}</title><meta property='og:site_name' content='{html.escape(outlet)}'>"
            f"<meta property='article:published_time' content='{published}'></head>"
            f"<body><article><h1>{t}</h1>{paras}</article></body></html>")


def _doc(url: str, published: str, title: str, text: str, outlet: str) -> dict:
    return {"url": url, "published": published, "outlet": outlet, "html": _page(outlet, title, published, text)}


def _stamp(day: str, hour: int, minute: int = 0) -> str:
    return f"{day}T{hour:02d}:{minute:02d}:00+02:00"


def _wire_text(s: dict) -> str:
    return "\n\n".join([s["lead"][0], f"“{s['quote']},” {s['speaker']} said in a statement.", *s["details"],
                        "Meridian Wire could not independently confirm the reports."])


def _writer_text(s: dict, i: int) -> str:
    quote = s["altered"] if s.get("altered") and i == 2 else s["quote"]
    own = {1: "Local residents described the news with a mix of relief and disbelief.",
           2: "Analysts said the development would be watched closely in European capitals.",
           3: "Officials promised further details in the coming days."}[i]
    return "\n\n".join([s["lead"][i], f"{s['speaker']} said: “{quote}.”", own])


def build(seed: int = 7) -> tuple[list[dict], dict]:
    rng = random.Random(seed)
    docs, gold = [], {"clusters": {}, "reprints": {}, "first_seen": {}, "contradictions": [], "altered_quotes": []}
    for n, s in enumerate(STORIES):
        slug, day = s["slug"], s["day"]
        # In odd stories a writer breaks the news before the wire: first-seen is not always the wire.
        writer_first = n % 2 == 1
        wire_url = f"https://{WIRE[0]}/{day.replace('-', '/')}/{slug}"
        wire_time = _stamp(day, 10 if writer_first else 8)
        docs.append(_doc(wire_url, wire_time, s["titles"][0], _wire_text(s), WIRE[1]))
        for k, (domain, name) in enumerate(rng.sample(REPRINTERS, 4)):
            body = _wire_text(s)
            if k == 1:  # a partial reprint: the outlet's own opening, then the wire's first paragraphs
                body = f"{name} has learned more about the events described below.\n\n" + "\n\n".join(body.split("\n\n")[:4])
            elif k == 2:  # a reprint with retouched punctuation and quote marks
                body = body.replace("“", '"').replace("”", '"').replace(", ", " , ")
            url = f"https://{domain}/news/{slug}-{k}"
            docs.append(_doc(url, _stamp(day, HOURS[k + 2], 15), s["titles"][0], body, name))
            gold["reprints"][url] = wire_url
        for i in (1, 2, 3):
            domain, name = WRITERS[(n + i) % len(WRITERS)]
            url = f"https://{domain}/{day}/{slug}-story"
            hour = 7 if (writer_first and i == 1) else HOURS[i + 3]
            docs.append(_doc(url, _stamp(day, hour, 30), s["titles"][i], _writer_text(s, i), name))
            if s.get("altered") and i == 2:
                gold["altered_quotes"].append({"url": url, "original_url": wire_url if not writer_first else None,
                                               "speaker": s["speaker"]})
        if s.get("claim"):
            first_url = f"https://{WRITERS[(n + 1) % len(WRITERS)][0]}/{day}/{slug}-story" if writer_first else wire_url
            gold["first_seen"][slug] = {"type": s["claim"][0], "place": s["claim"][1], "url": first_url}
        if s.get("contra"):
            domain, name, title, text = s["contra"]
            url = f"https://{domain}/{day}/{slug}-holds"
            docs.append(_doc(url, _stamp(day, 20, 45), title, text, name))
            gold["contradictions"].append({"story": slug, "place": s["claim"][1], "url": url})
        for d in docs:
            gold["clusters"].setdefault(d["url"], slug)
    # Arrival order is not publication order: copies may be stored before their original.
    rng.shuffle(docs)
    return docs, gold


def main() -> None:
    docs, gold = build()
    with open(HERE / "corpus.jsonl", "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    (HERE / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(docs)} articles, {len(set(gold['clusters'].values()))} stories, {len(gold['reprints'])} reprints")


if __name__ == "__main__":
    main()
