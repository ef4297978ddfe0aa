"""The JSON Schemas of crossdeal's versioned outputs, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from crossdeal.calendar.reports import CalendarReport, PairCalendar
from crossdeal.culture.reports import Comparison, CultureList, CultureProfile
from crossdeal.messages.reports import LintReport, ReplyReport
from crossdeal.messages.templates import TemplateRendering
from crossdeal.pipeline.backup import Backup
from crossdeal.pipeline.reports import (
    AccountList,
    ChangeReport,
    ContactList,
    DealList,
    DealView,
    DeletionReport,
    ErasureReport,
    ForecastReport,
    ImportReport,
    PersonalData,
    RestoreReport,
    SellerList,
)
from crossdeal.playbook.briefing import Briefing

OUTPUTS: dict[str, type[BaseModel]] = {
    "briefing": Briefing,
    "comparison": Comparison,
    "profile": CultureProfile,
    "cultures": CultureList,
    "lint": LintReport,
    "reply": ReplyReport,
    "template": TemplateRendering,
    "deals": DealList,
    "accounts": AccountList,
    "sellers": SellerList,
    "contacts": ContactList,
    "personal-data": PersonalData,
    "erasure": ErasureReport,
    "deal": DealView,
    "change": ChangeReport,
    "deletion": DeletionReport,
    "import": ImportReport,
    "backup": Backup,
    "restore": RestoreReport,
    "forecast": ForecastReport,
    "calendar": CalendarReport,
    "calendar-pair": PairCalendar,
}


def json_schema(name: str) -> dict[str, Any]:
    model = OUTPUTS[name]
    schema = model.model_json_schema(by_alias=True)
    # a backup is a file crossdeal reads back, named by its format; reports by schema_version
    key = "schema_version" if "schema_version" in model.model_fields else "format"
    version = model.model_fields[key].default
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://crossdeal.dev/schemas/{version}"
    return schema


def schema_text(name: str) -> str:
    return json.dumps(json_schema(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
