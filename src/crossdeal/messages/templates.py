"""Email templates with slots, and a slot for the personal sentence, fitted to the reader.

Templates are data (``messages/data/templates/*.yaml``): slots with help text, a body,
and greetings and sign-offs chosen by conditions on the reader's culture. A rendered
template is checked by the coach for the same reader, so what it suggests is clean.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdeal._validation import validate_yaml
from crossdeal._yaml import load_yaml
from crossdeal.culture.layers import with_practices
from crossdeal.culture.model import Culture, CultureModel, default_model
from crossdeal.culture.reports import CultureRef, culture_ref
from crossdeal.errors import DataFileError, InputError
from crossdeal.messages.coach import lint_message
from crossdeal.messages.features import data_dir
from crossdeal.messages.reports import LintReport
from crossdeal.playbook.engine import pair_context
from crossdeal.playbook.expressions import Condition, ExpressionError, compile_condition

__all__ = ["Template", "TemplateRendering", "render_template", "templates"]


class _SlotSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    help: str
    required: bool = False
    default: str | None = None
    personal: bool = False


class _Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    when: str | bool
    text: str


class _TemplateSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: str
    use: str
    slots: dict[str, _SlotSpec]
    greeting: list[_Choice] = Field(min_length=1)
    body: str
    sign_off: list[_Choice] = Field(min_length=1)


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    use: str
    slots: Mapping[str, _SlotSpec]
    greeting: tuple[tuple[Condition, str], ...]
    body: str
    sign_off: tuple[tuple[Condition, str], ...]
    file: str


class SlotInfo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    name: str
    help: str
    required: bool
    personal: bool


class TemplateRendering(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    schema_version: Literal["crossdeal.template/1"] = "crossdeal.template/1"
    template: str
    reader: CultureRef
    text: str
    placeholders: list[str] = Field(description="slots left for you to fill, shown in [brackets]")
    check: LintReport = Field(description="the coach's findings on the rendered text")


def _load(path: Path) -> Template:
    spec = validate_yaml(_TemplateSpec, load_yaml(path, error=DataFileError), path, DataFileError)
    used = {
        f
        for part in (spec.body, *(c.text for c in spec.greeting + spec.sign_off))
        for _, f, _, _ in string.Formatter().parse(part)
        if f
    }
    unknown = sorted(used - set(spec.slots))
    if unknown:
        raise DataFileError(
            f"template {spec.name!r} uses undeclared slots: {', '.join(unknown)}", path
        )

    def choices(items: list[_Choice]) -> tuple[tuple[Condition, str], ...]:
        out = []
        for item in items:
            when = item.when
            if isinstance(when, str) and when.strip().lower() == "true":
                when = True
            try:
                out.append((compile_condition(when), item.text))
            except ExpressionError as exc:
                raise DataFileError(
                    f"template {spec.name!r}: condition does not parse: {exc}", path
                ) from None
        return tuple(out)

    return Template(
        name=spec.name,
        title=spec.title,
        use=spec.use,
        slots=spec.slots,
        greeting=choices(spec.greeting),
        body=spec.body,
        sign_off=choices(spec.sign_off),
        file=path.name,
    )


@functools.cache
def templates() -> dict[str, Template]:
    """The shipped templates, by name."""
    found = [_load(p) for p in sorted((data_dir() / "templates").glob("*.yaml"))]
    return {t.name: t for t in found}


def slot_info(template: Template) -> list[SlotInfo]:
    return [
        SlotInfo(name=k, help=v.help, required=v.required, personal=v.personal)
        for k, v in template.slots.items()
    ]


def _fitted_greeting(buyer: Culture, name: str | None, title: str | None) -> str | None:
    """The opening from the reader's country's forms of address ("Dear Mr. Kim," for
    Kim Min-jun in Korea), or None where the country is not coded (the template's own
    greeting is used then)."""
    if buyer.iso2 is None or not name or name.startswith("["):
        return None
    from crossdeal.calendar.address import greeting, split_name
    from crossdeal.calendar.knowledge import default_knowledge

    facts = default_knowledge().country(buyer.iso2)
    if facts is None:
        return None
    written = f"{title} {name}".strip() if title and not title.startswith("[") else name
    return greeting(facts, split_name(written, facts))


def render_template(
    name: str,
    to: str | Culture,
    values: Mapping[str, str] | None = None,
    sender: str | Culture | None = None,
    model: CultureModel | None = None,
) -> TemplateRendering:
    """Fill a template for a reader; unfilled optional slots stay as visible [placeholders]."""
    model = with_practices(model or default_model())
    found = templates()
    if name not in found:
        raise InputError(f"no template named {name!r}; templates are: {', '.join(found)}")
    template = found[name]
    buyer = model.resolve(to)
    seller = model.resolve(sender) if sender is not None else None
    values = dict(values or {})
    unknown = sorted(set(values) - set(template.slots))
    if unknown:
        raise InputError(
            f"template {name!r} has no slot {', '.join(unknown)}; "
            f"its slots are: {', '.join(template.slots)}"
        )
    missing = [k for k, s in template.slots.items() if s.required and not values.get(k)]
    if missing:
        raise InputError(
            f"template {name!r} needs --var for: {', '.join(missing)} "
            f"(see `crossdeal template show {name}`)"
        )
    placeholders: list[str] = []
    filled: dict[str, str] = {}
    for key, slot in template.slots.items():
        if values.get(key):
            filled[key] = values[key]
        elif slot.default is not None:
            filled[key] = slot.default
        else:
            filled[key] = f"[{slot.help}]"
            placeholders.append(key)
    context = pair_context(seller, buyer, model)

    def choose(choices: tuple[tuple[Condition, str], ...]) -> str:
        for condition, text in choices:
            if condition.evaluate(context) is True:
                return text
        return choices[-1][1]

    opening = _fitted_greeting(buyer, filled.get("name"), filled.get("title"))
    if opening and "[" in opening and "name" not in placeholders:
        placeholders.append("name")  # "Min-jun" alone: the family name is still to fill
    body = [template.body.strip(), choose(template.sign_off)]
    parts = [opening or choose(template.greeting).format_map(filled)]
    parts += [p.format_map(filled) for p in body]
    text = "\n\n".join(parts)
    text = "\n".join(" ".join(line.split()) if line.strip() else "" for line in text.splitlines())
    reader = filled.get("name") if "name" not in placeholders else None
    check = lint_message(text, to=buyer, sender=seller, model=model, reader=reader)
    return TemplateRendering(
        template=name, reader=culture_ref(buyer), text=text, placeholders=placeholders, check=check
    )
