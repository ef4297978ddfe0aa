"""What the pipeline reports.

Versioned JSON: crossdeal.deals/1, crossdeal.deal/1, crossdeal.accounts/1,
crossdeal.import/1, crossdeal.change/1, crossdeal.deletion/1.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal.calendar.reports import CalendarEntry
from crossdeal.pipeline.signals import Signal
from crossdeal.playbook.briefing import Briefing
from crossdeal.playbook.rules import Severity

__all__ = [
    "AccountList",
    "AccountSummary",
    "ActivityView",
    "ChangeReport",
    "ContactView",
    "DealEventView",
    "DealList",
    "DealSummary",
    "DealView",
    "DeletionReport",
    "ForecastFactor",
    "ForecastLine",
    "ForecastModelInfo",
    "ForecastReport",
    "ForecastTotal",
    "ImportBatchReport",
    "ImportJobView",
    "ImportProblem",
    "ImportReport",
    "RestoreReport",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class DealSummary(_Out):
    id: int
    name: str
    account: str
    country: str | None = Field(description="the account's country as recorded")
    culture: str | None = Field(description="the buyer culture code used for signals")
    owner: str | None
    amount: float | None
    currency: str
    stage: str | None
    outcome: Literal["open", "won", "lost"]
    created_on: date | None
    expected_close: date | None
    closed_on: date | None
    signals: list[Signal]
    worst: Severity | None = Field(description="the most severe signal, if any")


class DealList(_Out):
    schema_version: Literal["crossdeal.deals/1"] = "crossdeal.deals/1"
    team: str
    database: str = Field(
        description="where the pipeline is: the database URL (password hidden) from the "
        "command line; only its kind (sqlite, postgresql) from the server"
    )
    total: int = Field(description="deals matching the filter before any limit")
    deals: list[DealSummary]


class ContactView(_Out):
    id: int
    name: str
    role: str | None
    culture: str | None
    seniority: str | None
    observations: list[str]
    met: bool = Field(description="took part in a call, video call or meeting on this deal")


class ActivityView(_Out):
    id: int
    occurred_on: date
    channel: str
    direction: str
    with_: list[str] = Field(alias="with")
    note: str | None
    unqualified_yes: bool

    # "with" in every JSON output (the CLI's and the server's), as the schema says
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        defer_build=True,
        populate_by_name=True,
        serialize_by_alias=True,
    )


class DealEventView(_Out):
    """One recorded change to a deal."""

    at: datetime = Field(description="when, in UTC")
    by: str | None = Field(description="who made the change, as the interface knew them")
    kind: Literal["update", "close", "reopen"]
    field: str
    old: str | None
    new: str | None
    note: str | None


class DealView(_Out):
    schema_version: Literal["crossdeal.deal/1"] = "crossdeal.deal/1"
    deal: DealSummary
    budget_confirmed: bool
    authority_identified: bool
    need: str | None
    timing: str | None
    standard_offer: bool
    lost_reason: str | None
    product: str | None
    notes: str | None
    source: str
    external_id: str | None
    committee: list[ContactView]
    activities: list[ActivityView]
    briefing: Briefing | None = Field(
        description="seller -> buyer briefing, when both cultures are known"
    )
    before_close: list[CalendarEntry] = Field(
        default_factory=list,
        description="the buyer country's public holidays and business periods from today "
        "to the expected close date (open deals)",
    )
    version: int = Field(1, description="bumped by every edit; send it back to edit safely")
    history: list[DealEventView] = Field(
        default_factory=list, description="every update, close and reopen, oldest first"
    )
    forecast: ForecastLine | None = Field(
        None, description="an open deal's win probability and close dates, with their factors"
    )


class ChangeReport(_Out):
    """What an update, close or reopen changed on a deal."""

    schema_version: Literal["crossdeal.change/1"] = "crossdeal.change/1"
    deal_id: int
    deal: str
    version: int = Field(description="the deal's version after the change")
    changes: list[DealEventView]


class DeletionReport(_Out):
    """What a delete removed (or, before it runs, would remove)."""

    schema_version: Literal["crossdeal.deletion/1"] = "crossdeal.deletion/1"
    kind: Literal["deal", "account", "committee member"]
    name: str
    removed: dict[str, int] = Field(description="rows removed, by kind")
    done: bool = Field(description="false: what the deletion would remove; nothing was removed")

    def describe(self) -> str:
        parts = [
            f"{n:,} {kind if n != 1 else _ONE.get(kind, kind)}"
            for kind, n in self.removed.items()
            if n
        ]
        return ", ".join(parts) if parts else "nothing else"


_ONE = {
    "deals": "deal",
    "accounts": "account",
    "contacts": "contact",
    "activities": "activity",
    "committee memberships": "committee membership",
    "history entries": "history entry",
    "attendances": "attendance",
}


class ImportProblem(_Out):
    line: int = Field(description="line in the file (the header is line 1)")
    column: str | None
    value: str | None
    reason: str


class ImportReport(_Out):
    schema_version: Literal["crossdeal.import/1"] = "crossdeal.import/1"
    file: str
    profile: str = Field(description="which CRM export or mapping file read the file")
    entity: Literal["deals", "accounts", "contacts", "committee"]
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    committed: bool = Field(description="false: nothing was written (all-or-nothing)")
    problems: list[ImportProblem] = Field(description="the first problems found, by line")
    problem_counts: dict[str, int] = Field(description="every problem, counted by reason")
    notes: list[str] = Field(description="values the mapping changed, e.g. a misspelled country")
    rejected_file: str | None = Field(description="where --skip-invalid wrote the rejected rows")


class ImportBatchReport(_Out):
    """Several exports of one CRM imported together, in one transaction."""

    schema_version: Literal["crossdeal.import-batch/1"] = "crossdeal.import-batch/1"
    committed: bool = Field(description="false: nothing of any file was written")
    files: list[ImportReport] = Field(description="each file's report, in the order imported")


class RestoreReport(_Out):
    """What restoring a crossdeal backup wrote (into an empty team, in one transaction)."""

    schema_version: Literal["crossdeal.restore/1"] = "crossdeal.restore/1"
    file: str = ""
    team: str = Field(description="the team it was restored into")
    source_team: str = Field(description="the team it was exported from")
    sellers: int
    accounts: int
    contacts: int
    deals: int
    activities: int
    history_entries: int
    deal_numbers_kept: bool = Field(
        description="false: some numbers were taken in this database, so every deal got a new one"
    )
    people_added: list[str] = Field(default_factory=list, description="saved people restored")
    people_unchanged: int = Field(default=0, description="saved people already there, the same")
    people_kept: list[str] = Field(
        default_factory=list,
        description="saved people already there with other details: yours were kept",
    )
    me: Literal["restored", "unchanged", "kept yours", "not in the backup"] = "not in the backup"
    left_in_file: list[str] = Field(
        default_factory=list,
        description="what the backup holds that was not restored here: a team server keeps "
        "no saved people or self-profile (they belong on a user's machine)",
    )


class ImportJobView(_Out):
    """An import uploaded to the team server: where it is, and its report when done."""

    schema_version: Literal["crossdeal.import-job/1"] = "crossdeal.import-job/1"
    id: int
    file: str
    size: int = Field(description="bytes uploaded")
    status: Literal["queued", "running", "done", "failed"]
    progress: float | None = Field(
        description="0-1: share of the file read so far, when the server answering knows it"
    )
    report: ImportReport | None = Field(description="the per-row report, once done")
    error: str | None = Field(description="why it failed; nothing was imported")
    created_at: datetime
    finished_at: datetime | None


class AccountSummary(_Out):
    id: int
    name: str
    country: str | None = Field(description="the country as recorded")
    culture: str | None = Field(description="the culture code its deals are read against")
    industry: str | None
    observed: list[str] = Field(description="company norms observed (person vocabulary)")
    open_deals: int
    contacts: int
    source: str = Field(description="where the account came from: crossdeal, a CRM, demo")


class AccountList(_Out):
    schema_version: Literal["crossdeal.accounts/1"] = "crossdeal.accounts/1"
    team: str
    accounts: list[AccountSummary]


class SellerSummary(_Out):
    id: int
    name: str
    culture: str | None = Field(description="their home culture code, read by briefings")
    email: str | None
    self_assessed: bool = Field(description="whether they have taken the self-assessment")
    open_deals: int
    won: int
    lost: int


class SellerList(_Out):
    schema_version: Literal["crossdeal.sellers/1"] = "crossdeal.sellers/1"
    team: str
    sellers: list[SellerSummary]


class ContactSummary(_Out):
    id: int
    name: str
    account: str
    account_id: int
    culture: str | None = Field(description="their own culture code, if recorded")
    account_culture: str | None = Field(
        default=None, description="the culture of their account's country"
    )
    role: str | None = Field(description="their role on buying committees")
    seniority: str | None
    email: str | None
    observed: list[str] = Field(description="behaviours observed (person vocabulary)")
    deals: int = Field(description="deals whose buying committee they sit on")
    source: str = Field(description="where the contact came from: crossdeal, a CRM, demo")


class ContactList(_Out):
    schema_version: Literal["crossdeal.contacts/1"] = "crossdeal.contacts/1"
    team: str
    contacts: list[ContactSummary]


class HeldDeal(_Out):
    id: int
    name: str


class HeldContact(_Out):
    id: int
    name: str
    account: str
    culture: str | None
    role: str | None
    seniority: str | None
    email: str | None
    observed: list[str]
    source: str = Field(description="where the contact came from: crossdeal, a CRM, demo")
    external_id: str | None = Field(description="the contact's id in the CRM it came from")
    deals: list[HeldDeal] = Field(description="deals whose buying committee they sit on")


class HeldActivity(_Out):
    id: int
    deal_id: int
    deal: str
    occurred_on: date
    channel: str
    direction: str
    note: str | None


class Mention(_Out):
    """A free-text field that writes the person's name."""

    place: Literal["activity", "deal", "deal history"]
    id: int = Field(description="the activity's, deal's or history entry's number")
    deal_id: int | None
    field: str = Field(description="which field of the record holds the text")
    text: str


class PersonalData(_Out):
    """Everything held about one person, for them to read (a subject access request)."""

    schema_version: Literal["crossdeal.personal-data/1"] = "crossdeal.personal-data/1"
    name: str
    team: str
    contacts: list[HeldContact]
    activities: list[HeldActivity] = Field(description="activities they took part in")
    mentions: list[Mention] = Field(description="free text that writes their full name")
    saved_person: dict[str, Any] | None = Field(
        description="the person saved on this machine under that name (crossdeal person)"
    )


class ErasureReport(_Out):
    """What erasing a person removed and rewrote (or, in a dry run, would)."""

    schema_version: Literal["crossdeal.erasure/1"] = "crossdeal.erasure/1"
    name: str
    team: str
    accounts: list[str] = Field(description="the accounts the erased contacts were on")
    removed: dict[str, int] = Field(description="records removed, by kind")
    redacted: list[Mention] = Field(
        description="free text where the full name was replaced by [name erased], as it reads now"
    )
    still_mentioned: list[Mention] = Field(
        description="free text that still writes a part of the name (a surname, a first "
        "name): read it and edit it if it names this person"
    )
    done: bool = Field(description="false: a dry run; nothing was changed")


class ForecastFactor(_Out):
    feature: str
    label: str = Field(description="the feature in words")
    value: float
    average: float = Field(description="the team's average over the deals the model learned from")
    effect: float = Field(description="win probability with this value minus with the average")


class ForecastLine(_Out):
    """One open deal's forecast."""

    id: int
    name: str
    account: str
    culture: str | None
    owner: str | None
    stage: str | None = None
    amount: float | None
    currency: str
    p_win: float = Field(description="probability of a win within the horizon")
    p_lost: float
    close_p50: date | None = Field(description="half of the win probability is reached by")
    close_p80: date | None = Field(description="four fifths of the win probability by")
    expected_value: float = Field(description="p_win x amount")
    p_win_in_period: float | None = Field(
        None, description="with a period: the probability of a win inside it"
    )
    expected_in_period: float | None = Field(None, description="p_win_in_period x amount")
    data_share: float = Field(description="0: the documented prior alone; 1: the team's data")
    stale: bool = Field(description="open far longer than the team's won deals ever took")
    factors: list[ForecastFactor] = Field(description="the largest factors, largest first")


class ForecastTotal(_Out):
    key: str = Field(description="a quarter (2027Q2), a culture code, a country or an owner")
    deals: int
    expected_value: float = Field(
        description="expected won amount (by quarter: each deal's chance of a win in it)"
    )
    low: float | None = Field(None, description="by quarter: P10 of the amount won in it")
    high: float | None = Field(None, description="by quarter: P90 of the amount won in it")
    amount: float


class ForecastModelInfo(_Out):
    """Which fitted model a forecast used."""

    fitted_on: date = Field(description="the day whose history the model learned from")
    closed_deals: int
    rows: int = Field(description="deal-weeks it was fitted on")
    refitted: bool = Field(description="fitted for this forecast (else: the kept model)")
    reason: str


class ForecastReport(_Out):
    schema_version: Literal["crossdeal.forecast/1"] = "crossdeal.forecast/1"
    team: str
    as_of: date
    horizon_weeks: int
    closed_deals_learned_from: int
    data_share: float = Field(description="how much of every estimate is the team's own data")
    win_rate: float = Field(description="the team's own win rate (the prior's, with no history)")
    left_out: dict[str, str] = Field(
        default_factory=dict, description="features left out because they reveal the outcome"
    )
    model: ForecastModelInfo | None = None
    period: str | None = Field(None, description="the quarter asked for (2027Q2), if any")
    by: str = Field("market", description="what `totals` are grouped by")
    open_deals: int = Field(0, description="open deals forecast (`deals` may hold the first)")
    deals: list[ForecastLine] = Field(
        description="open deals, by expected value (in the period, where one is asked for)"
    )
    by_quarter: list[ForecastTotal] = Field(
        description="expected won amount per quarter; deals and amount: those whose P50 is in it"
    )
    by_market: list[ForecastTotal] = Field(description="expected value by buyer culture")
    totals: list[ForecastTotal] = Field(
        default_factory=list,
        description="expected value grouped by `by` (inside the period, where one is asked for)",
    )
    notes: list[str] = Field(default_factory=list)
    method: str
