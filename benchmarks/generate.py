"""A generator of distinct news articles, French or English, about AI funding rounds, compute deals, chips and acquisitions.

    python -m benchmarks.generate N OUTDIR [--seed S] [--language fr|en|mixed] [--facts FILE] [--check]

writes N articles ``OUTDIR/<index>_<hash>.txt``, of the kind found in ``seeds/``
(publication-date header, title and section headings, bullet lists, amounts in
words and symbols, MW/GW capacities, absolute and relative dates), from this
module's own sentence templates and its own invented company names
(prefix + ending + "Labs", "Cloud", "Capital"...), mixed with real names of
the field taken from ``kg/nlp/data/organizations.jsonl`` (and their aliases),
so that entity resolution has work to do: the same company recurs across
articles, under its full and short names, and some events are reported twice.

``--language en`` writes English articles instead (``benchmarks/english.py``: the same kinds of
event, English figures and dates, invented names only), ``--language mixed`` one or the other
for each article (about half each; article ``i`` of a mixed corpus is article ``i`` of the
French or of the English corpus of the same seed). For the English articles the generator
knows the facts its templates state: ``--facts FILE`` writes them (JSON lines, one fact per
line with its article id), and ``--check`` builds the corpus written and prints how many of them
the build holds, per template.

Deterministic: the same ``--seed`` gives the same bytes. Article ``i`` does not
depend on N, so a corpus of 1,000 is the first 1,000 articles of one of 10,000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks import english

DATA_DIR = Path(__file__).resolve().parent.parent / "kg" / "nlp" / "data"

# ------------------------------------------------------------------ invented names

PREFIXES = [
    "Neur", "Quanta", "Volt", "Synap", "Axo", "Lumi", "Cortex", "Helio", "Nova", "Orbi", "Tenso", "Vecto",
    "Kairo", "Strato", "Ferro", "Aero", "Cirro", "Gravi", "Hexa", "Ioni", "Kelvi", "Lexi", "Magna", "Nimbo",
    "Onyxa", "Pulsa", "Rivo", "Sigma", "Terra", "Ultra", "Vanta", "Zephy", "Arca", "Bora", "Cala", "Delti",
    "Echo", "Fluxo", "Gala", "Hydra", "Indi", "Jova", "Kryo", "Lyra", "Miro", "Nexa", "Opti", "Praxi",
    "Qubi", "Rhea", "Sola", "Tali", "Umbra", "Veri", "Wavo", "Xeno", "Yuma", "Zeno", "Alti", "Boreal",
]
ENDINGS = ["ia", "is", "on", "ex", "ara", "ium", "ova", "yn", "ik", "ence", "ta", "or", "al", "ine"]
STARTUP_WORDS = ["", "", "", " AI", " Labs", " Robotics", " Systems", " Intelligence", " Technologies"]
CLOUD_WORDS = [" Cloud", " Compute", " Computing", " Datacenters", " Networks", " Energy", " Infra"]
INVESTOR_WORDS = [" Capital", " Ventures", " Partners", " Investments", " Fund", " Growth", " Capital Partners"]
CHIP_WORDS = [" Semiconductors", " Silicon", " Microsystems"]

CITIES = ["Paris", "Lyon", "Grenoble", "Toulouse", "Marseille", "Bordeaux", "Lille", "Nantes", "Montréal",
          "Berlin", "Munich", "Amsterdam", "Londres", "Stockholm", "Madrid", "Milan", "Zurich", "Austin",
          "Seattle", "Boston", "Toronto", "Tel-Aviv", "Singapour", "Tokyo", "Séoul", "Oslo", "Helsinki"]
REGIONS = ["en Île-de-France", "dans les Hauts-de-France", "en Norvège", "au Texas", "en Finlande", "en Suède",
           "dans l'Ohio", "en Arizona", "près de Marseille", "dans le Grand Est", "en Islande", "au Québec",
           "en Écosse", "en Bavière", "dans la région de Lyon", "en Virginie"]
DOMAINS = ["la vision par ordinateur", "les modèles de langage pour l'industrie", "la robotique logistique",
           "l'inférence à basse consommation", "l'analyse de documents juridiques", "la cybersécurité",
           "la découverte de médicaments", "les agents autonomes", "la traduction automatique",
           "la maintenance prédictive", "la génération de code", "la synthèse vocale", "la recherche d'information",
           "l'optimisation des réseaux électriques", "la conception de puces", "la météo de précision"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
NUMBER_WORDS = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept", 8: "huit",
                9: "neuf", 10: "dix", 12: "douze", 15: "quinze", 20: "vingt"}


def _load_rows(name: str) -> list[dict]:
    rows = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(json.loads(line))
    return rows


@dataclass(frozen=True)
class Org:
    name: str
    short: str  # what a later sentence calls it ("Neuria" for "Neuria Labs")


class Names:
    """Pools of organization names, drawn from the seed only (not from N)."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"names:{seed}")
        self.startups = self._pool(rng, STARTUP_WORDS, 3000)
        self.clouds = self._pool(rng, CLOUD_WORDS, 600)
        self.investors = self._pool(rng, INVESTOR_WORDS, 800)
        self.chipmakers = self._pool(rng, CHIP_WORDS, 120)
        rows = _load_rows("organizations.jsonl")

        def real(*kinds: str) -> list[dict]:
            return [r for r in rows if any(k in r.get("kinds", []) for k in kinds)]

        self.real_investors = real("InvestmentFirm")
        self.real_clouds = real("CloudProvider")
        self.real_labs = real("AILab")
        self.real_chips = real("ChipMaker")
        self.real_tech = real("Technology")
        self.platforms = [r for r in _load_rows("platforms.jsonl") if not r.get("ambiguous")]

    @staticmethod
    def _pool(rng: random.Random, words: list[str], size: int) -> list[Org]:
        seen: set[str] = set()
        pool = []
        while len(pool) < size:
            base = rng.choice(PREFIXES) + rng.choice(ENDINGS)
            name = base + rng.choice(words)
            if name in seen:
                continue
            seen.add(name)
            pool.append(Org(name, base if name != base and rng.random() < 0.5 else name))
        return pool

    @staticmethod
    def _skewed(rng: random.Random, pool: list):
        """Popular names recur: index drawn with a heavy head."""
        return pool[int(len(pool) * rng.random() ** 2.2)]

    @staticmethod
    def _real(rng: random.Random, rows: list[dict]) -> Org:
        row = rng.choice(rows)
        name = row["name"]
        if row.get("aliases") and rng.random() < 0.25:
            name = rng.choice(row["aliases"])
        return Org(name, name)

    def startup(self, rng: random.Random) -> Org:
        return self._real(rng, self.real_labs) if rng.random() < 0.12 else self._skewed(rng, self.startups)

    def cloud(self, rng: random.Random) -> Org:
        return self._real(rng, self.real_clouds) if rng.random() < 0.45 else self._skewed(rng, self.clouds)

    def investor(self, rng: random.Random) -> Org:
        return self._real(rng, self.real_investors) if rng.random() < 0.4 else self._skewed(rng, self.investors)

    def acquirer(self, rng: random.Random) -> Org:
        r = rng.random()
        if r < 0.35:
            return self._real(rng, self.real_tech + self.real_chips + self.real_clouds)
        return self._skewed(rng, self.startups[:400] + self.clouds[:100])

    def platform(self, rng: random.Random) -> tuple[str, str]:
        row = rng.choice(self.platforms)
        return row["name"], row["manufacturer"]


# ------------------------------------------------------------------ figures and dates


def _fr_decimal(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def money(rng: random.Random, low: float, high: float, currency: str | None = None) -> str:
    """An amount in French newspaper style, e.g. "1,5 milliard de dollars", "250 M€"."""
    value = rng.uniform(low, high)
    currency = currency or rng.choice(["USD", "USD", "EUR"])
    if value >= 1e9:
        n = round(value / 1e9, 1 if value < 1e10 else 0)
        if rng.random() < 0.15:
            return f"{_fr_decimal(n)} Md{'$' if currency == 'USD' else '€'}"
        if n == 1 and rng.random() < 0.5:
            return "un milliard " + ("de dollars" if currency == "USD" else "d'euros")
        unit = "milliard" if n < 2 else "milliards"
    else:
        n = round(value / 1e6, 0 if value >= 1e7 else 1)
        if rng.random() < 0.15:
            return f"{_fr_decimal(n)} M{'$' if currency == 'USD' else '€'}"
        unit = "million" if n < 2 else "millions"
    if n in NUMBER_WORDS and n <= 10 and rng.random() < 0.3:
        number = NUMBER_WORDS[int(n)]
    else:
        number = _fr_decimal(n)
    return f"{number} {unit} " + ("de dollars" if currency == "USD" else "d'euros")


def capacity(rng: random.Random) -> str:
    if rng.random() < 0.4:
        gw = rng.choice([1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 10])
        return f"{_fr_decimal(gw)} " + rng.choice(["GW", "gigawatts" if gw >= 2 else "gigawatt"])
    mw = rng.choice([20, 40, 50, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 750, 800])
    return f"{mw} " + rng.choice(["MW", "mégawatts", "MW"])


def bound(rng: random.Random) -> str:
    return rng.choice(["", "", "", "plus de ", "près de ", "jusqu'à ", "environ "])


def years(rng: random.Random) -> tuple[int, str]:
    n = rng.choice([2, 3, 4, 5, 6, 7, 8, 10, 12, 15])
    return n, NUMBER_WORDS[n] if n in NUMBER_WORDS and rng.random() < 0.6 else str(n)


def published(rng: random.Random) -> dt.date:
    start = dt.date(2024, 1, 1)
    return start + dt.timedelta(days=rng.randrange(0, 900))


def event_date(rng: random.Random, pub: dt.date) -> str:
    """How the text dates the event, relative to the publication date (never after it)."""
    r = rng.random()
    day = pub - dt.timedelta(days=rng.randrange(0, 6))
    if r < 0.25:
        return f"le {WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"
    if r < 0.45:
        return f"le {day.day} {MONTHS[day.month - 1]}"
    if r < 0.55:
        return "hier"
    if r < 0.65:
        return "cette semaine"
    if r < 0.75:
        return "le mois dernier"
    if r < 0.85:
        return "plus tôt ce mois-ci"
    if r < 0.93:
        return "aujourd'hui"
    return f"{WEEKDAYS[day.weekday()]}"


def earlier_month(rng: random.Random, pub: dt.date) -> str:
    month = (pub.month - 1 - rng.randrange(2, 10)) % 12
    return rng.choice(["en ", "début ", "fin ", "en "]) + MONTHS[month]


# ------------------------------------------------------------------ sentences

HEADINGS = [
    "{adj} {noun}", "Un {noun2} {adj2}", "Les investisseurs {inv_verb}", "Ce que change l'opération",
    "Une course aux infrastructures", "L'énergie, nouveau nerf de la guerre", "Des puces très convoitées",
    "Le pari de {short}", "Et maintenant ?", "Une stratégie assumée", "Les chiffres clés",
    "Qui est {short} ?", "À propos de {name}", "Un calendrier serré", "La concurrence s'organise",
]
HEAD_ADJ = ["Nouvelle", "Forte", "Grande", "Rapide", "Discrète", "Spectaculaire"]
HEAD_NOUN = ["accélération", "consolidation", "offensive", "ambition", "montée en puissance"]
HEAD_NOUN2 = ["marché", "secteur", "pari", "modèle", "écosystème"]
HEAD_ADJ2 = ["sous tension", "en pleine mutation", "très disputé", "encore jeune", "qui se structure"]
HEAD_INV_VERB = ["au rendez-vous", "se bousculent", "restent confiants", "misent gros", "répondent présent"]

FILLER_SUBJECTS = [
    "Le besoin de calcul des laboratoires", "Le marché des infrastructures d'IA", "La course aux modèles de fondation",
    "L'appétit des fonds pour l'IA générative", "La pénurie de processeurs graphiques",
    "La facture énergétique des centres de calcul", "La concurrence entre fournisseurs de GPU",
    "La question de la souveraineté numérique", "Le coût d'entraînement des grands modèles",
    "L'écosystème européen de l'intelligence artificielle", "Le recrutement d'ingénieurs spécialisés",
    "La pression des actionnaires", "Le rythme des annonces du secteur",
]
FILLER_VERBS = [
    "ne faiblit pas", "continue de croître", "s'accélère nettement", "ne montre aucun signe de ralentissement", "pèse sur les marges",
    "attire de nouveaux acteurs", "redessine la carte du secteur", "inquiète certains analystes",
    "oblige les acteurs à se réorganiser", "alimente les débats", "pousse les prix à la hausse",
]
FILLER_TAILS = [
    "depuis janvier", "en Europe comme aux États-Unis", "malgré la hausse des taux",
    "selon plusieurs analystes", "dans un marché très concurrentiel", "à en croire les observateurs",
    "sans que la tendance ne semble s'inverser", "au grand dam des plus petits acteurs", "",
]
COMMENTS = [
    "Reste à savoir si les revenus suivront.",
    "Une évolution que beaucoup jugeaient improbable il y a encore deux ans.",
    "Les prochains mois diront si ce pari était le bon.",
    "Le sujet est devenu central dans les conseils d'administration.",
    "Pour les observateurs, le mouvement ne fait que commencer.",
    "Plusieurs dirigeants du secteur appellent pourtant à la prudence.",
    "Le calendrier reste ambitieux.",
    "La comparaison avec les bulles passées revient régulièrement dans les discussions.",
    "De quoi rebattre les cartes face aux géants américains ?",
    "Rien ne dit toutefois que cette dynamique durera.",
]
USES = [
    "Recrutement de {n} ingénieurs à {city}", "Ouverture d'un bureau à {city}",
    "Entraînement d'un nouveau modèle spécialisé dans {domain}", "Achat de serveurs équipés de puces {platform}",
    "Expansion commerciale en Amérique du Nord", "Renforcement des équipes de recherche",
    "Développement d'une offre dédiée à {domain}", "Construction d'un cluster de {cap}",
]


def filler(rng: random.Random) -> str:
    if rng.random() < 0.35:
        return rng.choice(COMMENTS)
    tail = rng.choice(FILLER_TAILS)
    return f"{rng.choice(FILLER_SUBJECTS)} {rng.choice(FILLER_VERBS)}{' ' + tail if tail else ''}."


FIRST_NAMES = ["Claire", "Julien", "Sophie", "Thomas", "Camille", "Nicolas", "Léa", "Antoine", "Sarah", "Hugo",
               "Isabelle", "Marc", "Laura", "David", "Emma", "Pierre", "Anne", "Vincent"]
LAST_NAMES = ["Marchand", "Lefebvre", "Okafor", "Bernardi", "Nakamura", "Duval", "Kowalski", "Rousseau", "Haddad",
              "Lindqvist", "Moreau", "Fontaine", "Schneider", "Ortega", "Brunet", "Chevalier"]
QUOTES = [
    "Nous avons besoin de beaucoup plus de capacité que ce que le marché peut offrir aujourd'hui",
    "Cette étape nous donne les moyens de nos ambitions",
    "Le calcul est devenu la matière première de notre industrie",
    "Nous voulons rester indépendants tout en grandissant vite",
    "La sobriété énergétique fait partie de notre feuille de route",
    "Nos clients nous demandent de la fiabilité avant tout",
]
ROLES = ["directeur général", "directrice générale", "cofondateur", "cofondatrice", "directeur financier",
         "présidente", "associé", "responsable des infrastructures"]


def quote(rng: random.Random, names: Names) -> str:
    org = names.startup(rng) if rng.random() < 0.6 else names.cloud(rng)
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    text = rng.choice(QUOTES)
    if rng.random() < 0.5:
        return f"« {text} », a déclaré {person}, {rng.choice(ROLES)} de {org.name}."
    return f"{text}.\n\n– {person}, {rng.choice(ROLES)} de {org.short}"


def about(rng: random.Random, org: Org) -> str:
    return (f"Fondée en {rng.randrange(2010, 2024)} et installée à {rng.choice(CITIES)}, {org.name} développe des "
            f"solutions pour {rng.choice(DOMAINS)}. {rng.choice(['Elle', 'La société', 'L’entreprise'])} compte "
            f"{rng.randrange(12, 900)} salariés et revendique {rng.randrange(10, 500)} clients "
            f"{rng.choice(['en Europe', 'dans le monde', 'en France', 'aux États-Unis'])}.")


def heading(rng: random.Random, org: Org) -> str:
    return rng.choice(HEADINGS).format(
        adj=rng.choice(HEAD_ADJ), noun=rng.choice(HEAD_NOUN), noun2=rng.choice(HEAD_NOUN2),
        adj2=rng.choice(HEAD_ADJ2), inv_verb=rng.choice(HEAD_INV_VERB), short=org.short, name=org.name)


def bullets(rng: random.Random, items: list[str]) -> str:
    mark = rng.choice(["  • ", "- ", "• ", "  ▪ "])
    return "\n".join(mark + item for item in items)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _noun(rng: random.Random) -> str:
    return rng.choice(["la start-up", "la jeune pousse", "la société", "l'entreprise", "la pépite"])


def funding_paragraphs(rng: random.Random, names: Names, pub: dt.date) -> tuple[str, list[str]]:
    org = names.startup(rng)
    amount = money(rng, 5e6, 4e9)
    lead = names.investor(rng)
    others = []
    while len(others) < rng.randrange(1, 4):
        o = names.investor(rng)
        if o.name not in (lead.name, *others):
            others.append(o.name)
    when = event_date(rng, pub)
    series = rng.choice(["A", "B", "C", "D"])
    valuation = money(rng, 5e8, 3e10, "USD" if "dollars" in amount or "$" in amount else "EUR")
    title = rng.choice([
        f"{org.name} lève {amount}", f"{org.short} boucle un tour de table de {amount}",
        f"Série {series} : {org.name} convainc {lead.name}", f"{org.name} : {amount} pour accélérer",
    ])
    opening = rng.choice([
        f"{_noun(rng).capitalize()} {org.name}, spécialisée dans {rng.choice(DOMAINS)}, a levé {amount} lors d'un tour de table de série {series}.",
        f"{org.name} annonce {when} une levée de fonds de {bound(rng)}{amount}.",
        f"{org.name} a bouclé {when} un financement de {amount}, un montant record pour {_noun(rng)} fondée à {rng.choice(CITIES)}.",
        f"Nouvelle levée de fonds pour {org.name} : {_noun(rng)} a levé {amount} en série {series}.",
    ])
    dating = rng.choice([
        f"Le communiqué est tombé {when}.",
        f"L'opération a été officialisée {when}.",
        f"Le montant a été rendu public {when}.",
    ])
    lead_sentence = rng.choice([
        f"Le tour de table a été mené par {lead.name}, avec la participation de {_and(others)}.",
        f"{lead.name} a mené l'opération, aux côtés de {_and(others)}.",
        f"L'opération a été pilotée par {lead.name} ; {_and(others)} y ont également participé.",
        f"{lead.name} est le chef de file de ce tour, rejoint par {_and(others)}.",
    ])
    paragraphs = [f"{opening} {dating}" if rng.random() < 0.7 else opening]
    if rng.random() < 0.7:
        paragraphs[0] += " " + rng.choice([
            f"Cette opération valorise {org.short} à {valuation}.",
            f"L'entreprise serait désormais valorisée {valuation}.".replace("valorisée ", "valorisée à "),
            f"Sa valorisation atteint {bound(rng)}{valuation}.",
        ])
    paragraphs.append(heading(rng, org))
    paragraphs.append(lead_sentence + (" " + filler(rng) if rng.random() < 0.5 else ""))
    if rng.random() < 0.4:
        paragraphs.append(f"{lead.name} apporte à lui seul {money(rng, 2e6, 4e8)}, selon une source proche du dossier.")
    if rng.random() < 0.6:
        platform, _ = names.platform(rng)
        uses = rng.sample(USES, 3)
        intro = rng.choice([f"{org.short} compte utiliser ces fonds pour :", "Les fonds serviront en priorité à :",
                            "Au programme :"])
        paragraphs.append(intro + "\n" + bullets(rng, [u.format(n=rng.randrange(20, 400), city=rng.choice(CITIES),
                                                                     domain=rng.choice(DOMAINS), platform=platform,
                                                                     cap=capacity(rng)) for u in uses]))
    if rng.random() < 0.45:
        before = money(rng, 2e6, 9e8)
        paragraphs.append(rng.choice([
            f"{org.short} avait déjà levé {before} {earlier_month(rng, pub)}.",
            f"Il s'agit du deuxième tour de table de {org.short} depuis {rng.choice(MONTHS)}. "
            f"À l'époque, les investisseurs la valorisaient {money(rng, 1e8, 5e9)}.",
            f"Son précédent tour, bouclé l'an dernier, portait sur {before}.",
        ]))
    return title, paragraphs


def deal_paragraphs(rng: random.Random, names: Names, pub: dt.date) -> tuple[str, list[str]]:
    customer = names.startup(rng) if rng.random() < 0.6 else names.acquirer(rng)
    provider = names.cloud(rng)
    if provider.name == customer.name:
        provider = names.cloud(rng)
    value = money(rng, 1e8, 3e10, "USD")
    cap = capacity(rng)
    n, n_text = years(rng)
    when = event_date(rng, pub)
    platform, maker = names.platform(rng)
    horizon = pub.year + rng.randrange(1, 6)
    title = rng.choice([
        f"{provider.name} et {customer.name} signent un accord de {cap}",
        f"{customer.short} s'offre {cap} de puissance de calcul chez {provider.short}",
        f"Calcul : {provider.name} décroche un contrat de {value}",
    ])
    opening = rng.choice([
        f"{customer.name} a signé {when} un contrat de {value} avec {provider.name} pour louer des capacités de calcul sur {n_text} ans.",
        f"{provider.name} fournira à {customer.name} {bound(rng)}{cap} de puissance de calcul d'ici {horizon}, selon un accord annoncé {when}.",
        f"{customer.name} va dépenser {value} pour {provider.name} sur les {n_text} prochaines années, a annoncé {when} {_noun(rng)}.",
        f"{provider.name} et {customer.name} ont conclu {when} un partenariat de {value} portant sur {cap} de capacité de calcul.",
    ])
    detail = rng.choice([
        f"L'accord porte sur {bound(rng)}{cap} et s'étend sur {n_text} ans.",
        f"Le contrat prévoit la mise à disposition de serveurs équipés de GPU {platform} de {maker}.",
        f"{provider.short} mettra à disposition de {customer.short} des grappes de puces {platform} dans un campus situé {rng.choice(REGIONS)}.",
        f"Cet accord représenterait {bound(rng)}{value} sur sa durée, d'après des sources spécialisées.",
    ])
    paragraphs = [opening + " " + detail, heading(rng, provider)]
    paragraphs.append(" ".join(filler(rng) for _ in range(rng.randrange(1, 4))))
    if rng.random() < 0.6:
        paragraphs.append(rng.choice(["Les principaux points de l'accord :", "En résumé :", "Ce que prévoit le contrat :"])
                          + "\n" + bullets(rng, [
                              f"{cap} de capacité installée d'ici {horizon}",
                              f"des accélérateurs {platform} fournis par {maker}",
                              f"un campus {rng.choice(REGIONS)}",
                              f"une durée de {n_text} ans",
                          ][: rng.randrange(2, 5)]))
    if rng.random() < 0.35:
        n2, n2_text = years(rng)
        paragraphs.append(f"Les deux groupes avaient signé un premier contrat {earlier_month(rng, pub)}, d'une valeur "
                          f"de {money(rng, 5e7, 5e9, 'USD')} sur {n2_text} ans.")
    return title, paragraphs


def acquisition_paragraphs(rng: random.Random, names: Names, pub: dt.date) -> tuple[str, list[str]]:
    acquirer = names.acquirer(rng)
    target = names.startup(rng)
    if target.name == acquirer.name:
        target = names.startup(rng)
    value = money(rng, 2e7, 6e9)
    when = event_date(rng, pub)
    title = rng.choice([f"{acquirer.name} rachète {target.name}", f"{acquirer.short} met la main sur {target.short}",
                        f"Rachat : {target.name} passe sous le contrôle de {acquirer.name}"])
    opening = rng.choice([
        f"{acquirer.name} a annoncé {when} le rachat de {target.name} pour {bound(rng)}{value}.",
        f"{acquirer.name} met la main sur {target.name}, {_noun(rng)} spécialisée dans {rng.choice(DOMAINS)}, pour {value}.",
        f"{acquirer.name} rachète {target.name} pour {value}, selon un communiqué publié {when}.",
    ])
    paragraphs = [opening + " " + rng.choice([
        f"Fondée en {rng.randrange(2012, 2024)} à {rng.choice(CITIES)}, {target.short} emploie {rng.randrange(15, 300)} personnes.",
        "L'opération doit encore recevoir le feu vert des autorités de la concurrence.",
        f"Les équipes de {target.short} rejoindront la division recherche du groupe.",
    ]), heading(rng, acquirer), " ".join(filler(rng) for _ in range(rng.randrange(1, 3)))]
    if rng.random() < 0.5:
        past = []
        for _ in range(rng.randrange(2, 4)):
            other = names.startup(rng)
            month = MONTHS[rng.randrange(12)].capitalize()
            past.append(f"{month} {pub.year - rng.randrange(0, 2)} : rachat de {other.name}")
        paragraphs.append(f"Les précédentes opérations de {acquirer.short} :\n" + bullets(rng, past))
    return title, paragraphs


def chip_paragraphs(rng: random.Random, names: Names, pub: dt.date) -> tuple[str, list[str]]:
    platform, maker = names.platform(rng)
    buyer = names.cloud(rng)
    cap = capacity(rng)
    horizon = pub.year + rng.randrange(1, 5)
    title = rng.choice([f"{buyer.name} mise sur {platform}", f"Puces {platform} : {buyer.short} passe commande",
                        f"{maker} et {buyer.name} : {cap} de calcul"])
    paragraphs = [
        rng.choice([
            f"{buyer.name} a conclu un accord avec {maker} pour déployer des puces {platform} représentant {cap} d'ici {horizon}.",
            f"{maker} fournira à {buyer.name} des accélérateurs {platform} pour un nouveau campus de {cap} situé {rng.choice(REGIONS)}.",
            f"Le fabricant {maker} a signé avec {buyer.name} un contrat portant sur {bound(rng)}{cap} de capacité, à base de processeurs {platform}.",
        ]),
        heading(rng, buyer),
        " ".join(filler(rng) for _ in range(rng.randrange(2, 4))),
    ]
    if rng.random() < 0.5:
        other, other_maker = names.platform(rng)
        paragraphs.append(f"Le campus combinera des puces {platform} et {other} de {other_maker}, "
                          f"avec un refroidissement liquide et une alimentation dédiée de {capacity(rng)}.")
    return title, paragraphs


KINDS = [(funding_paragraphs, 0.45), (deal_paragraphs, 0.3), (acquisition_paragraphs, 0.15), (chip_paragraphs, 0.1)]


def article(index: int, seed: int, names: Names) -> tuple[str, str]:
    """(file name, text) of article ``index``."""
    rng = random.Random(f"article:{seed}:{index}")
    pub = published(rng)
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    title, paragraphs = kind(rng, names, pub)
    for _ in range(rng.randrange(0, 3)):  # a second, shorter event in the same article
        extra_kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        _, extra = extra_kind(rng, names, pub)
        paragraphs.append(extra[0])
    for _ in range(rng.randrange(2, 6)):
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), " ".join(filler(rng) for _ in range(rng.randrange(2, 6))))
    if rng.random() < 0.6:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), quote(rng, names))
    if rng.random() < 0.5:
        org = names.startup(rng)
        paragraphs += [f"À propos de {org.name}", about(rng, org)]
    body = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
    header = f" date {pub.isoformat()} " if rng.random() < 0.9 else ""
    text = header + body
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{index:06d}_{digest}.txt", text


LANGUAGES = ("fr", "en", "mixed")


def article_language(index: int, seed: int, language: str) -> str:
    """The language of article ``index``: ``language``, or for "mixed" a draw of its own (half each)."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    if language != "mixed":
        return language
    return "en" if random.Random(f"language:{seed}:{index}").random() < 0.5 else "fr"


def english_article(index: int, seed: int, names: english.Names) -> tuple[str, str, list[english.Intended]]:
    """(file name, text, facts it states) of English article ``index``."""
    rng = random.Random(f"article-en:{seed}:{index}")
    pub = published(rng)
    body, facts = english.article(rng, names, pub)
    text = f" date {pub.isoformat()} " + body
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{index:06d}_{digest}.txt", text, facts


def english_names(seed: int) -> english.Names:
    platforms = [r for r in _load_rows("platforms.jsonl") if not r.get("ambiguous")]
    return english.Names(seed, PREFIXES, ENDINGS, platforms)


def generate_with_facts(n: int, seed: int = 0, language: str = "fr"):
    """Yield (file name, text, intended facts) for articles 0..n-1; texts are distinct.

    The facts are those the English templates state (``english.Intended``); none for a French article.
    """
    names: Names | None = None
    names_en: english.Names | None = None
    seen: set[str] = set()
    for i in range(n):
        if article_language(i, seed, language) == "en":
            names_en = names_en or english_names(seed)
            name, text, facts = english_article(i, seed, names_en)
            update = f"\n\n(Updated, ref. {i}.)\n"
        else:
            names = names or Names(seed)
            (name, text), facts = article(i, seed, names), []
            update = f"\n\nArticle mis à jour (réf. {i}).\n"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:  # two identical draws: practically never, and made distinct all the same
            text = text.rstrip("\n") + update
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            name = f"{i:06d}_{digest[:16]}.txt"
        seen.add(digest)
        yield name, text, facts


def generate(n: int, seed: int = 0, language: str = "fr"):
    """Yield (file name, text) for articles 0..n-1; texts are distinct."""
    for name, text, _ in generate_with_facts(n, seed, language):
        yield name, text


def write_corpus(n: int, outdir: str | Path, seed: int = 0, language: str = "fr",
                 facts: dict[str, list[english.Intended]] | None = None) -> list[Path]:
    """Write the articles; ``facts``, when given, receives article id -> the facts it states (English ones)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text, stated in generate_with_facts(n, seed, language):
        path = outdir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        if facts is not None and stated:
            facts[path.stem] = stated
    return paths


def check_report(facts: dict[str, list[english.Intended]], corpus) -> str:
    """Lines saying, per template, how many intended facts a resolved corpus holds, then the missed ones."""
    result = english.check(facts, corpus)
    per: dict[str, list[int]] = {}
    for outcome, pairs in (("found", result["found"]), ("missed", result["missed"])):
        for _, fact in pairs:
            per.setdefault(fact.template, [0, 0])[outcome == "missed"] += 1
    total = len(result["found"]) + len(result["missed"])
    lines = [f"intended facts found: {len(result['found'])} of {total}"]
    lines += [f"  {template:<32} {found:>4} found {missed:>4} missed" for template, (found, missed) in sorted(per.items())]
    slots = result["slots"]
    lines.append(f"  investors and durations of the facts found: {slots['right']} right, {slots['wrong']} not")
    lines += [f"  missed in {article_id}: {fact}" for article_id, fact in result["missed"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--language", choices=LANGUAGES, default="fr",
                        help="French, English, or one or the other per article (default fr)")
    parser.add_argument("--facts", type=Path, default=None,
                        help="write the facts the English articles state here (JSON lines)")
    parser.add_argument("--check", action="store_true",
                        help="build the articles written and print how many of the English facts the build holds")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    facts: dict[str, list[english.Intended]] = {}
    paths = write_corpus(args.n, args.outdir, args.seed, args.language, facts)
    print(f"wrote {len(paths)} articles to {args.outdir}", file=sys.stderr)
    if args.facts is not None:
        lines = [json.dumps({"article": aid, **fact.to_dict()}, ensure_ascii=False)
                 for aid, stated in sorted(facts.items()) for fact in stated]
        args.facts.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    if args.check:
        from kg.build import build

        print(check_report(facts, build(paths).corpus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
