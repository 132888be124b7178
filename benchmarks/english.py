"""English articles for ``benchmarks.generate``: the same four kinds of event as the French templates
(funding rounds with a lead and participants, compute deals with value, capacity and duration,
acquisitions, chip orders), with the figures and dates of English news ("$1.5 billion", "$500M",
"£200m", "€1.2bn"; "on Tuesday", "March 3, 2026", "yesterday").

Every name is invented here (``benchmarks.generate.PREFIXES`` and ``ENDINGS`` with an English
company ending: "Labs", "Cloud", "Capital"...); only the chip platforms and their makers come from
``kg/nlp/data/platforms.jsonl``. Each article comes with the facts its templates state
(``Intended``), so that a build of generated articles can be checked against what was written
(``check``).

The English rules find a name by a list, by its ending or by its role; a bare invented name
("Neuria raised $40 million") is found by none of them, so every invented name here carries an
ending, and later sentences repeat the full name.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from kg.names import fold, loose_key

# Endings of the English rules' ``org_suffixes`` (kg/nlp/data/name_endings.yaml): each marks a company.
# None is a legal ending ("Group", "Systems", "Holdings"), which names drop when they are compared.
STARTUP_WORDS = [" AI", " Labs", " Robotics", " Analytics", " Technologies", " Quantum", " Solutions", " Tech"]
CLOUD_WORDS = [" Cloud", " Compute", " Computing", " Datacenters", " Networks", " Hosting"]
INVESTOR_WORDS = [" Capital", " Ventures", " Partners", " Investments", " Growth", " Capital Partners", " Equity"]
ACQUIRER_WORDS = [" Industries", " Technologies", " Semiconductors", " Microsystems"]

CITIES = ["London", "Manchester", "Edinburgh", "Dublin", "Austin", "Seattle", "Boston", "Denver", "Toronto",
          "Vancouver", "Chicago", "Atlanta", "Pittsburgh", "Bristol", "Cambridge", "Sydney", "Singapore"]
REGIONS = ["in Texas", "in Ohio", "in Arizona", "in Virginia", "in northern Sweden", "in Norway", "in Iceland",
           "in Scotland", "near Dallas", "in Alberta", "in Quebec", "outside Phoenix", "in Finland"]
DOMAINS = ["legal documents", "drug discovery", "warehouse robots", "low-power inference", "cyber security",
           "code generation", "speech synthesis", "weather prediction", "chip design", "fraud detection",
           "industrial maintenance", "machine translation", "search", "power-grid planning"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 10: "ten",
                12: "twelve", 15: "fifteen"}


@dataclass(frozen=True)
class Org:
    name: str


@dataclass(frozen=True)
class Intended:
    """A fact that an article's templates state. Amounts are numbers in the currency's unit."""

    kind: str  # "funding_round", "compute_deal" or "acquisition"
    organization: str | None = None  # funding round: the funded company
    amount: Decimal | None = None
    currency: str | None = None
    lead_investors: tuple[str, ...] = ()
    investors: tuple[str, ...] = ()  # the other participants
    provider: str | None = None  # compute deal
    customer: str | None = None
    capacity_mw: Decimal | None = None
    duration_years: Decimal | None = None
    platform: str | None = None
    acquirer: str | None = None  # acquisition
    target: str | None = None
    template: str = field(default="", compare=False)  # which opening sentence stated it

    def to_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, tuple) else v)
                for k, v in asdict(self).items() if v not in (None, ())}

    def __str__(self) -> str:
        if self.kind == "funding_round":
            return f"round {self.organization} {self.amount} {self.currency}"
        if self.kind == "compute_deal":
            return f"deal {self.provider} -> {self.customer} {self.amount} {self.currency} {self.capacity_mw} MW"
        return f"acquisition {self.acquirer} buys {self.target}"


class Names:
    """Invented English company names, drawn from the seed only (not from N)."""

    def __init__(self, seed: int, prefixes: Sequence[str], endings: Sequence[str], platforms: list[dict]) -> None:
        rng = random.Random(f"names-en:{seed}")
        keys: set[str] = set()  # no two names of the pools are one organization for the rules
        self.startups = self._pool(rng, prefixes, endings, STARTUP_WORDS, 2000, keys)
        self.clouds = self._pool(rng, prefixes, endings, CLOUD_WORDS, 400, keys)
        self.investors = self._pool(rng, prefixes, endings, INVESTOR_WORDS, 600, keys)
        self.acquirers = self._pool(rng, prefixes, endings, ACQUIRER_WORDS, 200, keys)
        self.platforms = platforms

    @staticmethod
    def _pool(rng, prefixes, endings, words, size, keys) -> list[Org]:
        pool = []
        while len(pool) < size:
            name = rng.choice(prefixes) + rng.choice(endings) + rng.choice(words)
            key = loose_key(name)
            if key in keys:
                continue
            keys.add(key)
            pool.append(Org(name))
        return pool

    @staticmethod
    def _skewed(rng: random.Random, pool: list[Org]) -> Org:
        """Popular names recur: index drawn with a heavy head."""
        return pool[int(len(pool) * rng.random() ** 2.2)]

    def startup(self, rng) -> Org:
        return self._skewed(rng, self.startups)

    def cloud(self, rng) -> Org:
        return self._skewed(rng, self.clouds)

    def investor(self, rng) -> Org:
        return self._skewed(rng, self.investors)

    def acquirer(self, rng) -> Org:
        return self._skewed(rng, self.acquirers) if rng.random() < 0.6 else self._skewed(rng, self.clouds)

    def platform(self, rng) -> tuple[str, str]:
        row = rng.choice(self.platforms)
        return row["name"], row["manufacturer"]


# ------------------------------------------------------------------ figures and dates


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(rng: random.Random, low: float, high: float, currency: str | None = None) -> tuple[str, Decimal, str]:
    """An amount as English news write it, its value and its currency: "$1.5 billion", "£200m", "€1.2bn"."""
    currency = currency or rng.choice(["USD", "USD", "USD", "EUR", "GBP"])
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}[currency]
    value = rng.uniform(low, high)
    if value >= 1e9:
        n = Decimal(str(round(value / 1e9, 1)))
        amount = n * 1_000_000_000
        words = ["billion", "bn"] + (["B"] if currency == "USD" else [])
    else:
        n = Decimal(str(round(value / 1e6, 0 if value >= 1e7 else 1)))
        amount = n * 1_000_000
        words = ["million", "m"] + (["M"] if currency == "USD" else [])
    word = rng.choice(words)
    space = " " if word in ("billion", "million") else ""
    text = f"{symbol}{_decimal_text(n)}{space}{word}"
    if currency == "USD" and rng.random() < 0.1:
        text = "US" + text
    return text, amount.to_integral_value(), currency


def capacity(rng: random.Random) -> tuple[str, Decimal]:
    if rng.random() < 0.35:
        gw = rng.choice(["1", "1.2", "1.5", "2", "2.5", "3", "4", "5"])
        unit = rng.choice(["GW", "gigawatts" if gw != "1" else "gigawatt"])
        return f"{gw} {unit}", (Decimal(gw) * 1000).to_integral_value()
    mw = rng.choice([20, 40, 50, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 750, 800])
    return f"{mw} {rng.choice(['MW', 'megawatts', 'MW'])}", Decimal(mw)


def years(rng: random.Random) -> tuple[int, str]:
    n = rng.choice([2, 3, 4, 5, 6, 7, 8, 10, 12, 15])
    return n, NUMBER_WORDS[n] if n in NUMBER_WORDS and rng.random() < 0.6 else str(n)


def event_date(rng: random.Random, pub: dt.date) -> str:
    """How the text dates the event: a weekday of the days before publication, a full date, "yesterday"..."""
    day = pub - dt.timedelta(days=rng.randrange(1, 6))
    r = rng.random()
    if r < 0.35:
        return f"on {WEEKDAYS[day.weekday()]}"
    if r < 0.6:
        return f"on {MONTHS[day.month - 1]} {day.day}, {day.year}"
    if r < 0.75:
        return f"on {MONTHS[day.month - 1]} {day.day}"
    if r < 0.9:
        return "yesterday"
    return "this week"


# ------------------------------------------------------------------ sentences

FILLER_SUBJECTS = [
    "Demand for computing power from AI labs", "The market for AI infrastructure", "The race to build foundation models",
    "Investor appetite for generative AI", "The shortage of graphics processors", "The energy bill of large data centres",
    "Competition among GPU suppliers", "The cost of training frontier models", "Hiring of specialised engineers",
    "Pressure from shareholders", "The pace of announcements in the sector",
]
FILLER_VERBS = [
    "shows no sign of slowing", "keeps growing", "has picked up sharply", "weighs on margins",
    "draws in new players", "is reshaping the sector", "worries some analysts", "pushes prices higher",
]
FILLER_TAILS = ["this year", "in Europe as in North America", "despite higher interest rates",
                "according to several analysts", "in a crowded market", ""]
COMMENTS = [
    "Whether revenue will follow remains to be seen.",
    "Few would have bet on such a move two years ago.",
    "The coming months will show whether the bet pays off.",
    "The timetable remains ambitious.",
    "Comparisons with past bubbles come up often in these discussions.",
    "Nothing guarantees that the momentum will last.",
]
HEADINGS = ["What the deal changes", "A race for infrastructure", "Power is the new bottleneck",
            "The numbers", "What comes next", "A crowded field", "Why it matters", "The backers"]
FIRST_NAMES = ["Claire", "James", "Priya", "Tom", "Aisha", "Daniel", "Laura", "Marcus", "Sofia", "Ethan"]
LAST_NAMES = ["Whitfield", "Okafor", "Bennett", "Nakamura", "Kowalski", "Haddad", "Lindqvist", "Ortega"]
QUOTES = [
    "We need far more capacity than the market can offer today",
    "This gives us the means to match our ambitions",
    "Compute has become the raw material of our industry",
    "Our customers ask for reliability above all",
]


def filler(rng: random.Random) -> str:
    if rng.random() < 0.35:
        return rng.choice(COMMENTS)
    tail = rng.choice(FILLER_TAILS)
    return f"{rng.choice(FILLER_SUBJECTS)} {rng.choice(FILLER_VERBS)}{' ' + tail if tail else ''}."


def quote(rng: random.Random, names: Names) -> str:
    org = names.startup(rng) if rng.random() < 0.6 else names.cloud(rng)
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return f"\"{rng.choice(QUOTES)},\" said {person}, chief executive of {org.name}."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def bullets(rng: random.Random, items: list[str]) -> str:
    mark = rng.choice(["- ", "• ", "* "])
    return "\n".join(mark + item for item in items)


def funding_paragraphs(rng: random.Random, names: Names, pub: dt.date):
    org = names.startup(rng)
    amount, value, currency = money(rng, 5e6, 4e9)
    lead = names.investor(rng)
    others: list[str] = []
    while len(others) < rng.randrange(1, 4):
        o = names.investor(rng)
        if o.name not in (lead.name, *others):
            others.append(o.name)
    when = event_date(rng, pub)
    series = rng.choice(["A", "B", "C", "D"])
    domain = rng.choice(DOMAINS)
    title = rng.choice([f"{org.name} raises {amount}", f"{org.name} lands {amount} Series {series}",
                        f"{lead.name} backs {org.name}"])
    openings = {
        "raised-led-by": f"{org.name} said {when} it had raised {amount} in a Series {series} round led by "
                         f"{lead.name}, with participation from {_and(others)}.",
        "has-raised": f"{org.name}, a start-up building software for {domain}, has raised {amount} in a "
                      f"Series {series} funding round, it announced {when}.",
        "announced-round": f"{org.name} announced {when} a {amount} Series {series} round led by {lead.name}.",
        "secured": f"{org.name} said {when} it had secured {amount} in new funding in a round led by {lead.name}, "
                   f"with participation from {_and(others)}.",
    }
    template = rng.choice(sorted(openings))
    paragraphs = [openings[template]]
    if template in ("has-raised", "announced-round"):
        lead_named = template == "announced-round"
        paragraphs.append(rng.choice([
            f"{_and(others)} also took part in the round." if lead_named else
            f"The round was led by {lead.name}, with participation from {_and(others)}.",
            f"{_and(others)} also invested." if lead_named else
            f"{lead.name} led the round, alongside {_and(others)}.",
        ]))
    if rng.random() < 0.6:
        valuation, _, _ = money(rng, 5e8, 3e10, currency)
        paragraphs[0] += " " + rng.choice([f"The round values {org.name} at {valuation}.",
                                           f"{org.name} is now valued at {valuation}."])
    rest = [rng.choice(HEADINGS), " ".join(filler(rng) for _ in range(rng.randrange(1, 3)))]
    if rng.random() < 0.5:
        platform, _ = names.platform(rng)
        rest.append(f"{org.name} plans to use the money for:\n" + bullets(rng, [
            f"hiring {rng.randrange(20, 300)} engineers in {rng.choice(CITIES)}",
            f"training a new model for {rng.choice(DOMAINS)}",
            f"buying servers with {platform} chips",
        ]))
    fact = Intended("funding_round", organization=org.name, amount=value, currency=currency,
                    lead_investors=(lead.name,), investors=tuple(others), template=f"funding:{template}")
    return title, paragraphs, rest, [fact]


def deal_paragraphs(rng: random.Random, names: Names, pub: dt.date):
    customer = names.startup(rng) if rng.random() < 0.6 else names.acquirer(rng)
    provider = names.cloud(rng)
    amount, value, currency = money(rng, 1e8, 3e10, rng.choice(["USD", "USD", "EUR", "GBP"]))
    cap, mw = capacity(rng)
    n, n_text = years(rng)
    when = event_date(rng, pub)
    platform, maker = names.platform(rng)
    title = rng.choice([f"{provider.name} signs {cap} deal with {customer.name}",
                        f"{customer.name} books {cap} of compute from {provider.name}"])
    openings = {
        "lease-agreement": f"{customer.name} has signed a {amount} agreement with {provider.name} to lease {cap} "
                           f"of computing capacity over {n_text} years, the companies said {when}.",
        "provider-supplies": f"{provider.name} will supply {customer.name} with {cap} of computing capacity under a "
                             f"{n}-year contract worth {amount}, the two companies said {when}.",
        "spend-on": f"{customer.name} said {when} it would spend {amount} on computing capacity from "
                    f"{provider.name} over the next {n_text} years.",
    }
    template = rng.choice(sorted(openings))
    opening = openings[template]
    details = [f"The deal covers {cap} of capacity.",
               f"The contract calls for servers built on {maker} {platform} chips in a campus {rng.choice(REGIONS)}."]
    if template == "spend-on":
        details[0] = f"The deal covers {cap} of capacity in a campus {rng.choice(REGIONS)}."
    paragraphs = [opening + " " + rng.choice(details)]
    rest = [rng.choice(HEADINGS), " ".join(filler(rng) for _ in range(rng.randrange(1, 3)))]
    fact = Intended("compute_deal", provider=provider.name, customer=customer.name, amount=value, currency=currency,
                    capacity_mw=mw, duration_years=Decimal(n), template=f"deal:{template}")
    return title, paragraphs, rest, [fact]


def acquisition_paragraphs(rng: random.Random, names: Names, pub: dt.date):
    acquirer = names.acquirer(rng)
    target = names.startup(rng)
    amount, value, currency = money(rng, 2e7, 6e9)
    when = event_date(rng, pub)
    domain = rng.choice(DOMAINS)
    title = rng.choice([f"{acquirer.name} buys {target.name}", f"{acquirer.name} to acquire {target.name}"])
    openings = {
        "agreed-to-acquire": f"{acquirer.name} said {when} it had agreed to acquire {target.name}, a start-up that "
                             f"builds tools for {domain}, for {amount}.",
        "acquired": f"{acquirer.name} said {when} it has acquired {target.name} for {amount}.",
        "passive": f"{target.name}, which builds software for {domain}, has been acquired by {acquirer.name} "
                   f"for {amount}, the companies said {when}.",
    }
    template = rng.choice(sorted(openings))
    paragraphs = [openings[template] + " " + rng.choice([
        f"Founded in {rng.randrange(2012, 2024)} in {rng.choice(CITIES)}, {target.name} employs "
        f"{rng.randrange(15, 300)} people.",
        "The deal still needs the approval of competition authorities.",
    ])]
    rest = [rng.choice(HEADINGS), " ".join(filler(rng) for _ in range(rng.randrange(1, 3)))]
    fact = Intended("acquisition", acquirer=acquirer.name, target=target.name, amount=value, currency=currency,
                    template=f"acquisition:{template}")
    return title, paragraphs, rest, [fact]


def chip_paragraphs(rng: random.Random, names: Names, pub: dt.date):
    platform, maker = names.platform(rng)
    buyer = names.cloud(rng)
    cap, mw = capacity(rng)
    horizon = pub.year + rng.randrange(1, 5)
    title = rng.choice([f"{buyer.name} bets on {platform}", f"{buyer.name} orders {platform} chips"])
    openings = {
        "deploy": f"{buyer.name} has struck a deal with {maker} to deploy {platform} chips totalling {cap} "
                  f"by {horizon}.",
        "maker-supplies": f"{maker} will supply {buyer.name} with {platform} accelerators for a new {cap} campus "
                          f"{rng.choice(REGIONS)}.",
    }
    template = rng.choice(sorted(openings))
    rest = [rng.choice(HEADINGS), " ".join(filler(rng) for _ in range(rng.randrange(1, 3)))]
    fact = Intended("compute_deal", provider=maker, customer=buyer.name, capacity_mw=mw, platform=platform,
                    template=f"chip:{template}")
    return title, [openings[template]], rest, [fact]


KINDS = [(funding_paragraphs, 0.45), (deal_paragraphs, 0.3), (acquisition_paragraphs, 0.15), (chip_paragraphs, 0.1)]


def article(rng: random.Random, names: Names, pub: dt.date) -> tuple[str, list[Intended]]:
    """The body of an English article (title and paragraphs) and the facts it states."""
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    title, event, rest, facts = kind(rng, names, pub)
    # the paragraphs of one event stay together: the fillers and quotes go between events
    paragraphs = ["\n\n".join(event), *rest]
    for _ in range(rng.randrange(0, 2)):  # a second, shorter event in the same article
        extra_kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        _, extra, _, extra_facts = extra_kind(rng, names, pub)
        paragraphs.append("\n\n".join(["Elsewhere", *extra]))
        facts += extra_facts
    for _ in range(rng.randrange(1, 4)):
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), " ".join(filler(rng) for _ in range(rng.randrange(2, 4))))
    if rng.random() < 0.5:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), quote(rng, names))
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n", facts


# ------------------------------------------------------------------ checking a build against the facts


def _close(a: Decimal | None, b) -> bool:
    return a is not None and b is not None and abs(Decimal(b.amount if hasattr(b, "amount") else b) - a) <= a / 50


def check(facts: Mapping[str, Iterable[Intended]], corpus) -> dict[str, list]:
    """Which intended facts a resolved corpus (``kg.build.build(...).corpus``) holds.

    A round is found when a round of the funded company has the amount (within 2 %, same currency); a
    deal when a deal names both parties with the value or the capacity; an acquisition when one has the
    acquirer and the target. Returns {"found": [...], "missed": [...]} of (article id, fact), and, for
    the facts found, the lead investors, investors and durations read right or not ("slots").
    """
    keys: dict[str, str] = {}
    for org in corpus.organizations:
        for name in (org.name, *org.aliases):
            keys.setdefault(fold(name), org.key)

    def key(name: str | None) -> str | None:
        return None if name is None else keys.get(fold(name), loose_key(name))

    found, missed, slots = [], [], {"right": 0, "wrong": 0}
    for article_id, intended in sorted(facts.items()):
        for fact in intended:
            hit = _find(fact, corpus, key)
            (found if hit is not None else missed).append((article_id, fact))
            if hit is None:
                continue
            if fact.kind == "funding_round":
                right = ({key(n) for n in fact.lead_investors} <= set(hit.lead_investors) | set(hit.investors)
                         and {key(n) for n in fact.investors} <= set(hit.investors) | set(hit.lead_investors))
                slots["right" if right else "wrong"] += 1
            elif fact.kind == "compute_deal" and fact.duration_years is not None:
                slots["right" if hit.duration_years == fact.duration_years else "wrong"] += 1
    return {"found": found, "missed": missed, "slots": slots}


def _find(fact: Intended, corpus, key):
    if fact.kind == "funding_round":
        for r in corpus.funding_rounds:
            if r.organization == key(fact.organization) and any(
                    m is not None and m.currency == fact.currency and _close(fact.amount, m)
                    for m in (r.amount, r.target_amount)):
                return r
    elif fact.kind == "compute_deal":
        for d in corpus.compute_deals:
            if {key(fact.provider), key(fact.customer)} <= set(d.parties) and (
                    (d.value is not None and d.value.currency == fact.currency and _close(fact.amount, d.value))
                    or (d.capacity_mw is not None and d.capacity_mw.value == fact.capacity_mw)):
                return d
    else:
        for a in corpus.acquisitions:
            if (a.acquirer, a.target) == (key(fact.acquirer), key(fact.target)):
                return a
    return None
