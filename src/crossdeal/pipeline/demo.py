"""A realistic sample pipeline, generated from a seed (the same seed, the same pipeline).

Sellers in a few countries, accounts across more than twenty cultures, buying
committees, activities, and two years of won and lost deals whose cycle length and
win rate depend on cultural distance and on how the seller engaged (committee size,
face-to-face contact) - so the forecast and the risk signals have something to learn
and to find. Used by ``crossdeal demo``, by tests and by benchmarks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from crossdeal.culture.distance import kogut_singh_index
from crossdeal.culture.model import CultureModel, default_model

__all__ = ["DemoActivity", "DemoContact", "DemoDeal", "DemoPipeline", "generate"]

SELLERS = [
    ("Emily Carter", "USA"),
    ("Jake Morrison", "USA"),
    ("Hannah Weber", "GER"),
    ("Oliver Hughes", "GBR"),
    ("Arjun Mehta", "IND"),
    ("Mei Lin Tan", "SIN"),
]

# (account, culture, industry) - fictional companies
ACCOUNTS = [
    ("Tanaka Precision", "JPN", "manufacturing"),
    ("Sakura Logistics", "JPN", "logistics"),
    ("Hanbit Electronics", "KOR", "electronics"),
    ("Daewon Shipping", "KOR", "logistics"),
    ("Huaxin Components", "CHI", "manufacturing"),
    ("Longmen Retail", "CHI", "retail"),
    ("Infotech Pune", "IND", "it services"),
    ("Ganga Pharma", "IND", "pharma"),
    ("Vale Azul Energia", "BRA", "energy"),
    ("Rio Verde Foods", "BRA", "food"),
    ("Grupo Monterrey", "MEX", "manufacturing"),
    ("Andes Minería", "CHL", "mining"),
    ("Rheinwerk AG", "GER", "manufacturing"),
    ("Hanse Maschinenbau", "GER", "machinery"),
    ("Lumière Santé", "FRA", "healthcare"),
    ("Nordvik Energi", "NOR", "energy"),
    ("Stockholm Mobility", "SWE", "transport"),
    ("Delta Haven BV", "NET", "logistics"),
    ("Gulf Horizon Trading", "ARA", "trading"),
    ("Anatolia Tekstil", "TUR", "textiles"),
    ("Nusantara Telekom", "IDO", "telecom"),
    ("Siam Agro", "THA", "agriculture"),
    ("Saigon Garments", "VIE", "textiles"),
    ("Wisla Systems", "POL", "it services"),
    ("Milano Design Group", "ITA", "design"),
    ("Iberia Renovables", "SPA", "energy"),
    ("Harbour Bank", "AUL", "finance"),
    ("Maple Health", "CAN", "healthcare"),
    ("Thames Analytics", "GBR", "analytics"),
    ("Lakeside Insurance", "USA", "insurance"),
    ("Volga Industrial", "RUS", "manufacturing"),
    ("Manila Outsourcing", "PHI", "it services"),
]

FIRST = {
    "JPN": ["Kenji", "Yuki", "Hiroshi", "Aiko"],
    "KOR": ["Min-jun", "Ji-woo", "Seo-yeon", "Hyun"],
    "CHI": ["Wei", "Li Na", "Jun", "Xiu"],
    "IND": ["Priya", "Rahul", "Anita", "Vikram"],
    "BRA": ["Rafael", "Camila", "Lucas", "Beatriz"],
    "MEX": ["Diego", "Sofía", "Carlos", "Lucía"],
    "CHL": ["Matías", "Valentina", "Benjamín"],
    "GER": ["Lukas", "Anna", "Jonas", "Katrin"],
    "FRA": ["Camille", "Julien", "Élodie"],
    "NOR": ["Erik", "Ingrid", "Lars"],
    "SWE": ["Karin", "Johan", "Elsa"],
    "NET": ["Femke", "Daan", "Sanne"],
    "ARA": ["Omar", "Layla", "Khalid"],
    "TUR": ["Emre", "Elif", "Mert"],
    "IDO": ["Budi", "Siti", "Agus"],
    "THA": ["Krit", "Nok", "Somchai"],
    "VIE": ["Minh", "Linh", "Tuan"],
    "POL": ["Piotr", "Agnieszka", "Tomasz"],
    "ITA": ["Marco", "Giulia", "Luca"],
    "SPA": ["Javier", "Lucía", "Pablo"],
    "AUL": ["Jack", "Chloe", "Liam"],
    "CAN": ["Noah", "Emma", "Olivia"],
    "GBR": ["James", "Sophie", "Harry"],
    "USA": ["Michael", "Jessica", "David"],
    "RUS": ["Dmitry", "Olga", "Sergei"],
    "PHI": ["Paolo", "Maria", "Jose"],
}
LAST = {
    "JPN": ["Sato", "Suzuki", "Takahashi"],
    "KOR": ["Kim", "Lee", "Park"],
    "CHI": ["Wang", "Li", "Zhang"],
    "IND": ["Raman", "Sharma", "Iyer"],
    "BRA": ["Souza", "Lima", "Costa"],
    "MEX": ["Hernández", "García", "López"],
    "CHL": ["Rojas", "Muñoz"],
    "GER": ["Müller", "Schmidt", "Fischer"],
    "FRA": ["Moreau", "Laurent"],
    "NOR": ["Hansen", "Johansen"],
    "SWE": ["Andersson", "Lind"],
    "NET": ["de Vries", "Bakker"],
    "ARA": ["Al-Farsi", "Haddad"],
    "TUR": ["Yılmaz", "Demir"],
    "IDO": ["Santoso", "Wijaya"],
    "THA": ["Srisuk", "Chaiyaporn"],
    "VIE": ["Nguyen", "Tran"],
    "POL": ["Nowak", "Kowalski"],
    "ITA": ["Rossi", "Bianchi"],
    "SPA": ["García", "Martín"],
    "AUL": ["Smith", "Brown"],
    "CAN": ["Tremblay", "Wilson"],
    "GBR": ["Taylor", "Evans"],
    "USA": ["Johnson", "Miller"],
    "RUS": ["Ivanov", "Petrova"],
    "PHI": ["Santos", "Reyes"],
}
ROLES = ["decision-maker", "economic-buyer", "champion", "influencer", "user", "gatekeeper"]
PRODUCTS = [
    "Plant monitoring",
    "Data platform",
    "Managed services",
    "Fleet telematics",
    "ERP rollout",
]
LOST_REASONS = ["went with a local supplier", "no decision", "price", "timing", "lost the champion"]
YES_NOTES = [
    "Of course, no problem. We will do it.",
    "Sure, definitely!",
    "Yes, no problem at all.",
]
REAL_NOTES = [
    "Yes - Ravi will send the revised plan on Tuesday; the reporting module moves to phase 2.",
    "They confirmed the budget of 240k for next year if the pilot meets the targets.",
    "Good call; they asked for references in their industry and a written plan.",
]


@dataclass
class DemoContact:
    name: str
    culture: str
    role: str


@dataclass
class DemoActivity:
    channel: str
    direction: str
    occurred_on: date
    with_: list[str]
    note: str | None


@dataclass
class DemoDeal:
    key: str
    name: str
    account: str
    owner: str
    amount: int
    outcome: str
    stage: str
    created_on: date
    expected_close: date | None
    closed_on: date | None
    budget_confirmed: bool
    authority_identified: bool
    standard_offer: bool
    lost_reason: str | None
    contacts: list[DemoContact] = field(default_factory=list)
    activities: list[DemoActivity] = field(default_factory=list)
    # the stages the deal went through, as (day entered, stage), its creation first
    stage_history: list[tuple[date, str]] = field(default_factory=list)


@dataclass
class DemoPipeline:
    sellers: list[tuple[str, str]]
    accounts: list[tuple[str, str, str]]
    deals: list[DemoDeal]


def generate(
    seed: int = 7,
    deals: int = 180,
    today: date | None = None,
    model: CultureModel | None = None,
    culture_effect: bool = True,
) -> DemoPipeline:
    """A demo pipeline of about ``deals`` deals over the two years before ``today``.

    The effects it plants, which the forecast's tests and docs/forecast.md check are
    recovered: the cycle is ``N(80, 20)`` days times ``1 + 0.15 x KS`` (KS: the Kogut-Singh
    distance between owner and buyer), and the win probability is
    ``0.55 - 0.07 x KS + 0.05 x (committee - 2) + 0.10 with face time (-0.05 without)``,
    kept within 8-85 %. With ``culture_effect=False`` the KS terms are left out (the same
    random draws otherwise), for checking that a model finds no effect where none is.
    Stages: Discovery at creation, Proposal after 35 % of the cycle, Negotiation after
    70 % (every won deal, two in five lost ones), then Closed won or lost.
    """
    rng = random.Random(seed)
    stage_rng = random.Random(f"{seed}-stages")  # its own draws: the deals stay the same
    model = model or default_model()
    today = today or date.today()
    start = today - timedelta(days=730)
    out: list[DemoDeal] = []
    for n in range(deals):
        account, culture, _ = rng.choice(ACCOUNTS)
        owner, owner_culture = rng.choice(SELLERS)
        seller, buyer = model.get(owner_culture), model.get(culture)
        assert seller is not None and buyer is not None
        ks = kogut_singh_index(seller.scores, buyer.scores, model.variances).value or 0.0
        if not culture_effect:
            ks = 0.0
        # two years of history, with a quarter of the deals started in the last four months
        if rng.random() < 0.25:
            created = today - timedelta(days=rng.randrange(5, 120))
        else:
            created = start + timedelta(days=rng.randrange(0, 700))
        cycle = int(rng.gauss(80, 20) * (1 + 0.15 * ks))
        committee = rng.choices([1, 2, 3, 4, 5], weights=[3, 3, 3, 2, 1])[0]
        face_time = rng.random() < 0.55
        contacts = _committee(rng, culture, committee)
        # win odds fall with distance, rise with a wider committee and with face time
        p_win = max(
            0.08,
            min(0.85, 0.55 - 0.07 * ks + 0.05 * (committee - 2) + (0.1 if face_time else -0.05)),
        )
        close = created + timedelta(days=max(cycle, 20))
        if close < today - timedelta(days=5):
            outcome = "won" if rng.random() < p_win else "lost"
            closed: date | None = close
            expected = None
        else:
            outcome = "open"
            closed = None
            # many sellers from fast cultures plan too short a cycle
            expected = created + timedelta(days=int(cycle * rng.choice([0.45, 0.8, 1.0, 1.2])))
            if expected <= today:
                expected = today + timedelta(days=rng.randrange(10, 90))
        deal = DemoDeal(
            key=f"demo-{seed}-{n + 1:04d}",
            name=f"{rng.choice(PRODUCTS)} for {account}",
            account=account,
            owner=owner,
            amount=rng.choice([25, 40, 60, 90, 120, 180, 250, 400]) * 1000,
            outcome=outcome,
            stage={"won": "Closed won", "lost": "Closed lost"}.get(outcome)
            or rng.choice(["Discovery", "Proposal", "Negotiation"]),
            created_on=created,
            expected_close=expected,
            closed_on=closed,
            budget_confirmed=rng.random() < 0.6,
            authority_identified=rng.random() < 0.5,
            standard_offer=rng.random() < 0.2,
            lost_reason=rng.choice(LOST_REASONS) if outcome == "lost" else None,
            contacts=contacts,
        )
        deal.activities = _activities(rng, deal, face_time, today)
        deal.stage_history = _stages(stage_rng, deal, max(cycle, 20), today)
        deal.stage = deal.stage_history[-1][1]
        out.append(deal)
    return DemoPipeline(sellers=list(SELLERS), accounts=list(ACCOUNTS), deals=out)


def _stages(rng: random.Random, deal: DemoDeal, cycle: int, today: date) -> list[tuple[date, str]]:
    reaches_negotiation = deal.outcome != "lost" or rng.random() < 0.4
    planned = [
        (deal.created_on, "Discovery"),
        (deal.created_on + timedelta(days=int(0.35 * cycle)), "Proposal"),
    ]
    if reaches_negotiation:
        planned.append((deal.created_on + timedelta(days=int(0.7 * cycle)), "Negotiation"))
    end = deal.closed_on or today
    history = [(day, stage) for day, stage in planned if day <= end]
    if deal.closed_on is not None:
        history.append((deal.closed_on, deal.stage))
    return history


def _committee(rng: random.Random, culture: str, size: int) -> list[DemoContact]:
    people: list[DemoContact] = []
    roles = (
        ["decision-maker", *rng.sample(ROLES[1:], k=min(size, len(ROLES)) - 1)]
        if size > 1
        else [rng.choice(["champion", "decision-maker", "user"])]
    )
    names: set[str] = set()
    for role in roles[:size]:
        name = f"{rng.choice(FIRST[culture])} {rng.choice(LAST[culture])}"
        while name in names:
            name = f"{rng.choice(FIRST[culture])} {rng.choice(LAST[culture])}"
        names.add(name)
        people.append(DemoContact(name=name, culture=culture, role=role))
    return people


def _activities(
    rng: random.Random, deal: DemoDeal, face_time: bool, today: date
) -> list[DemoActivity]:
    end = deal.closed_on or today
    span = max((end - deal.created_on).days, 1)
    count = rng.randrange(2, 9)
    out = []
    for _ in range(count):
        when = deal.created_on + timedelta(days=rng.randrange(0, span))
        if when > today:
            when = today
        channels = ["email", "call", "email", "chat"] + (
            ["video", "in-person"] if face_time else []
        )
        channel = rng.choice(channels)
        direction = rng.choice(["outbound", "outbound", "inbound"])
        with_ = [
            c.name
            for c in rng.sample(deal.contacts, k=min(len(deal.contacts), rng.randrange(1, 3)))
        ]
        note = None
        if direction == "inbound" and channel in ("email", "chat"):
            note = rng.choice(YES_NOTES) if rng.random() < 0.35 else rng.choice(REAL_NOTES)
        out.append(
            DemoActivity(
                channel=channel, direction=direction, occurred_on=when, with_=with_, note=note
            )
        )
    out.sort(key=lambda a: a.occurred_on)
    return out
