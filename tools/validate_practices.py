"""Check crossdeal's practice coding against GLOBE 2004, an independent survey, and write
docs/practice-validation.md.

GLOBE's society scores are not shipped with crossdeal (their terms are scholarly and
non-commercial) and were not used to code the practice data, so they are a fair test:
where a practice scale and the GLOBE scale closest to it measure related things, their
rank orders across countries should agree. Usage:

    python tools/validate_practices.py PATH/TO/globe2004_societal_culture.csv
"""

from __future__ import annotations

import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from crossdeal.culture.model import default_model
from crossdeal.culture.practice import default_practices

OUT = Path(__file__).resolve().parents[1] / "docs" / "practice-validation.md"

# practice scale -> (GLOBE practices scale, expected sign, what links them)
PAIRS = {
    "feedback": (
        "assertiveness",
        -1,
        "assertive societies (GLOBE) should criticise directly (low on feedback)",
    ),
    "disagreeing": (
        "assertiveness",
        -1,
        "assertive societies should be at ease with open confrontation",
    ),
    "context": (
        "in_group_collectivism",
        1,
        "tight in-groups share context, so less needs to be said",
    ),
    "deciding": ("power_distance", 1, "where power is concentrated, the top decides"),
    "formality": ("power_distance", 1, "where rank matters, titles are kept"),
    "trusting": (
        "in_group_collectivism",
        1,
        "loyalty to the in-group goes with relationship-based trust",
    ),
    "scheduling": (
        "uncertainty_avoidance",
        -1,
        "GLOBE's uncertainty avoidance practices measure orderliness and planning",
    ),
    "horizon": (
        "future_orientation",
        1,
        "future-oriented societies plan and invest for the long term",
    ),
}
# the Hofstede dimension each scale is most often equated with, for contrast
HOFSTEDE = {
    "feedback": "idv",
    "disagreeing": "idv",
    "context": "idv",
    "deciding": "pdi",
    "formality": "pdi",
    "trusting": "idv",
    "scheduling": "uai",
    "horizon": "lto",
}
# GLOBE samples that describe a sub-national sample of the practice data
SAMPLES = {"French Switzerland": "SWF", "Germany (EAST)": None}


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: list[float], y: list[float]) -> float:
    return statistics.correlation(_ranks(x), _ranks(y))


def _globe(path: Path) -> dict[str, dict[str, float]]:
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = SAMPLES.get(row["society"], row["iso3"])
            if key is None:
                continue
            rows[key].append(
                {
                    k.removesuffix("_practices"): float(v)
                    for k, v in row.items()
                    if k.endswith("_practices")
                }
            )
    return {k: {s: statistics.fmean(r[s] for r in v) for s in v[0]} for k, v in rows.items()}


def main(globe_path: Path) -> str:
    atlas = default_practices()
    globe = _globe(globe_path)
    model = default_model()
    hofstede = {c.iso3: c for c in model.cultures if c.kind == "country" and c.iso3}
    lines = [
        "# The practice coding against GLOBE 2004",
        "",
        "Written by `python tools/validate_practices.py PATH/TO/globe2004_societal_culture.csv`.",
        "GLOBE (House et al. 2004, *Culture, Leadership, and Organizations*) surveyed managers",
        'in 62 societies on how their society *is* ("practices"), on 1-7 scales. crossdeal does',
        "not ship GLOBE's scores (their terms are scholarly) and did not use them to code its",
        "practice scales, so they are an independent check: where a practice scale and the",
        "GLOBE scale closest to it measure related things, their rank orders should agree in",
        "the expected direction. Spearman's rank correlation over the countries both cover;",
        "for contrast, the same with the Hofstede dimension each scale is most often equated",
        "with.",
        "",
        "| practice scale | GLOBE practices scale | expected | n | Spearman "
        "| nearest Hofstede | n | Spearman |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    details = []
    for scale, (gscale, sign, link) in PAIRS.items():
        xs, ys, names = [], [], []
        for key, profile in {**atlas.countries, **atlas.samples}.items():
            position = profile.positions.get(scale)
            if key in globe and position is not None and position.level is not None:
                xs.append(float(position.level))
                ys.append(globe[key][gscale])
                names.append(profile.name)
        rho = spearman(xs, ys)
        hx, hy = [], []
        for iso3, profile in atlas.countries.items():
            position = profile.positions.get(scale)
            culture = hofstede.get(iso3)
            score = culture.scores.get(HOFSTEDE[scale]) if culture else None
            if position is not None and position.level is not None and score is not None:
                hx.append(float(position.level))
                hy.append(score)
        hrho = spearman(hx, hy)
        lines.append(
            f"| {scale} | {gscale.replace('_', ' ')} | {'+' if sign > 0 else '-'} | {len(xs)} | "
            f"{rho:+.2f} | {HOFSTEDE[scale]} | {len(hx)} | {hrho:+.2f} |"
        )
        # the countries where the two rank orders differ most
        rx, ry = _ranks(xs), _ranks([sign * y for y in ys])
        gaps = sorted(zip(names, rx, ry, xs, ys, strict=True), key=lambda t: -abs(t[1] - t[2]))[:5]
        details.append(
            f"- **{scale}** vs GLOBE {gscale.replace('_', ' ')} ({link}): largest rank differences "
            + "; ".join(f"{n} (level {x:.0f}, GLOBE {y:.2f})" for n, _, _, x, y in gaps)
            + "."
        )
    lines += [
        "",
        "Where they differ, and why: a rank correlation compares orderings, and the pairs",
        "below are related constructs, not the same one. GLOBE's assertiveness measures how",
        "confrontational and dominant people are in general, not how they criticise a",
        "supplier's work; its in-group collectivism measures pride and loyalty in families and",
        "organisations, not how business trust is built; its uncertainty avoidance practices",
        "measure orderliness and rules, which only partly govern how time is kept. The",
        "countries with the largest rank differences are listed so that an expert can look at",
        "them first:",
        "",
        *details,
        "",
        "Persuading (principles-first versus applications-first, or holistic) has no GLOBE",
        "counterpart and is not compared.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    OUT.write_text(main(Path(sys.argv[1])), encoding="utf-8")
    print(f"wrote {OUT}")
