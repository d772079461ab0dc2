"""The tables of the bad-input suite (checked by ``test_bad_inputs.py``): adding a case is one line.

- :data:`FIELDS` -- numeric scenario fields; each line yields one case per entry of :data:`NUMBERS`
  (NaN, +-inf, a boolean, text, a huge magnitude, a negative) and one past the field's bound;
- :data:`YAML_CASES` -- one text replacement in the small valid scenario (``bad_inputs_base.BASE``)
  with the field path and the words the message must hold;
- :data:`FILE_CASES` -- files built by code (billion laughs, deep nesting, non-UTF-8, huge,
  includes, geometry, policy, experiment and game files);
- :data:`CLI_CASES` -- command lines.
"""

from __future__ import annotations

from pathlib import Path

from bad_inputs_base import BASE, Case, line_of, write_file, yaml_case

# --- numeric fields x bad numbers ------------------------------------------------------------------

# (case id, text before the number, the number in BASE, field path, kind, a value past its bound)
# kind: "any" (>= 0), "frac" ([0, 1]), "pos" (> 0), "ge1" (>= 1)
FIELDS: list[tuple[str, str, str, str, str, str]] = [
    ("strength", "strength: {value: ", "5000, unit: troops, low: 4000, high: 6000", "units[0].strength.value", "any", "2.0e+7"),
    ("availability", "availability: {value: ", "0.33, low: 0.25, high: 0.5", "units[0].availability.value", "frac", "1.5"),
    ("readiness", "readiness_hours: {value: ", "2, unit: h", "units[0].readiness_hours.value", "any", "2.0e+5"),
    ("road-speed", "road_speed_kmh: {value: ", "40, unit: km/h", "units[0].road_speed_kmh.value", "pos", "2.0e+4"),
    ("team-size", "team_size: {value: ", "6", "units[0].team_size.value", "any", "2.0e+4"),
    ("cost-per-day", "cost_per_person_day: {value: ", "1500", "units[0].cost_per_person_day.value", "any", "2.0e+9"),
    ("reserve-strength", "strength: {value: ", "2000", "units[1].strength.value", "any", "2.0e+7"),
    ("delay-days", "delay_days: {value: ", "2, low: 1, high: 5", "units[1].activation.delay_days.value", "any", "40000"),
    ("covert-rate", "rate_per_day: {value: ", "10, unit: attempts/day", "actors[0].rate_per_day.value", "any", "2.0e+6"),
    ("group-size", "group_size: {value: ", "3, unit: people", "actors[0].group_size.value", "any", "2.0e+6"),
    ("turn-back", "turn_back: {value: ", "0.3", "actors[0].turn_back.value", "frac", "1.01"),
    ("terrain-weight", "gorge: {value: ", "1.5", "actors[0].terrain_weight.gorge.value", "any", "2.0e+6"),
    ("rationality", "rationality: {value: ", "1, low: 0, high: 3", "actors[0].choice.rationality.value", "any", "5000"),
    ("armed-rate", "rate_per_day: {value: ", "0.02", "actors[1].rate_per_day.value", "any", "2.0e+6"),
    ("attackers", "attackers: {value: ", "200, low: 150, high: 250", "actors[1].attackers.value", "any", "2.0e+7"),
    ("armed-value", "value: {value: ", "5", "actors[1].value.value", "any", "2.0e+6"),
    ("fleeing-rate", "rate_per_day: {value: ", "20", "actors[2].rate_per_day.value", "any", "2.0e+6"),
    ("border-length", "official_length_km: {value: ", "1344.15", "border.official_length_km.value", "any", "2.0e+5"),
    ("capacity", "capacity_per_day: {value: ", "200, low: 50, high: 400", "border.crossings[0].capacity_per_day.value", "any", "2.0e+6"),
    ("scale-factor", "factor: {value: ", "2", "timeline[0].actions[1].factor.value", "any", "2000"),
    ("multiplier", "multiplier: {value: ", "1.5", "policies.aid.actions[0].multiplier.value", "ge1", "2000"),
    ("cost-years", "cost_years: {value: ", "5", "policies.aid.cost_years.value", "pos", "2000"),
]  # fmt: skip

# (mutation id, replacement, expected words by field kind (None: same for every kind))
NUMBERS: list[tuple[str, str, dict[str, str] | str]] = [
    ("nan", ".nan", "finite number"),
    ("inf", ".inf", "finite number"),
    ("minus-inf", "-.inf", "finite number"),
    ("bool", "true", "boolean"),
    ("text", "'many'", "valid number"),
    ("huge", "1.0e+300", "beyond any plausible value"),
    ("negative", "-1", {"any": ">= 0", "frac": "[0, 1]", "pos": "> 0", "ge1": ">= 1"}),
]


def _numeric_cases() -> list[Case]:
    out = []
    for fid, before, number, path, kind, over in FIELDS:
        old = before + number
        for mid, new, words in NUMBERS:
            w = words if isinstance(words, str) else words[kind]
            out.append(yaml_case(f"{fid}-{mid}", old, before + new, path, w))
        w = "[0, 1]" if kind == "frac" else "must be <="
        out.append(yaml_case(f"{fid}-past-bound", old, before + over, path, w))
    return out


# --- one-line YAML mutations -----------------------------------------------------------------------

YAML_CASES: list[Case] = [
    yaml_case("low-nan", "low: 4000,", "low: .nan,", "units[0].strength.low", "finite"),
    yaml_case("high-inf", "high: 6000,", "high: .inf,", "units[0].strength.high", "finite"),
    yaml_case("low-above-high", "low: 4000, high: 6000", "low: 6000, high: 4000", "units[0].strength", "above high"),
    yaml_case("low-bool", "low: 0.25, high: 0.5", "low: false, high: 0.5", "units[0].availability.low", "boolean"),
    yaml_case("range-past-fraction", "low: 0.25, high: 0.5", "low: 0.25, high: 1.5", "units[0].availability.value", "[0, 1]"),
    yaml_case("period-start-1800", "start: 2021-06-01, days: 30", "start: 1800-06-01, days: 30", "period.start", "1900-2200"),
    yaml_case("period-start-2500", "start: 2021-06-01, days: 30", "start: 2500-06-01, days: 30", "period.start", "1900-2200"),
    yaml_case("period-start-9999", "start: 2021-06-01, days: 30", "start: 9999-12-31, days: 30", "period.start", "1900-2200"),
    yaml_case("period-days-zero", "days: 30}", "days: 0}", "period.days", "greater than 0"),
    yaml_case("period-days-huge", "days: 30}", "days: 100000}", "period.days", "less than or equal"),
    yaml_case("period-days-bool", "days: 30}", "days: true}", "period.days", "boolean"),
    yaml_case("period-days-fraction", "days: 30}", "days: 30.5}", "period.days", "fractional"),
    yaml_case("period-days-nan", "days: 30}", "days: .nan}", "period.days", "finite"),
    yaml_case("window-reversed", "active_until: 2021-12-31", "active_until: 2021-01-01", "units[1].active_until", "before active_from"),
    yaml_case("active-until-3000", "active_until: 2021-12-31", "active_until: 3000-01-01", "units[1].active_until", "1900-2200"),
    yaml_case("event-date-1066", "  - date: 2021-07-01", "  - date: 1066-10-14", "timeline[0].date", "1900-2200"),
    yaml_case("memory-days-zero", "memory_days: 14", "memory_days: 0", "actors[0].choice.memory_days", "greater than or equal"),
    yaml_case("memory-days-bool", "memory_days: 14", "memory_days: yes", "actors[0].choice.memory_days", "boolean"),
    yaml_case("memory-days-huge", "memory_days: 14", "memory_days: 99999999", "actors[0].choice.memory_days", "less than or equal"),
    yaml_case("window-days-bool", "window_days: 7", "window_days: true", "escalation.window_days", "boolean"),
    yaml_case("threshold-zero", "threshold: 3}", "threshold: 0}", "escalation.threshold", "greater than or equal"),
    yaml_case("threshold-huge", "threshold: 3}", "threshold: 10000000}", "escalation.threshold", "less than or equal"),
    yaml_case("arrivals-negative", "arrivals: {panj: 300}", "arrivals: {panj: -300}", "timeline[0].actions[2].arrivals", ">= 0"),
    yaml_case("arrivals-huge", "arrivals: {panj: 300}", "arrivals: {panj: 300000000}", "timeline[0].actions[2].arrivals", "<= 1e+07"),
    yaml_case("arrivals-bool", "arrivals: {panj: 300}", "arrivals: {panj: true}", "timeline[0].actions[2].arrivals.panj", "boolean"),
    yaml_case("arrivals-nan", "arrivals: {panj: 300}", "arrivals: {panj: .nan}", "timeline[0].actions[2].arrivals.panj", "finite"),
    yaml_case("weights-all-zero", "weights: {a: 2, b: 1}", "weights: {a: 0, b: 0}", "units[0].allocation.weights", "not all be 0"),
    yaml_case("weights-nan", "weights: {a: 2, b: 1}", "weights: {a: .nan, b: 1}", "units[0].allocation.weights.a", "finite"),
    yaml_case("weights-negative", "weights: {a: 2, b: 1}", "weights: {a: -2, b: 1}", "units[0].allocation.weights", ">= 0"),
    yaml_case("weights-bool", "weights: {a: 2, b: 1}", "weights: {a: true, b: 1}", "units[0].allocation.weights.a", "boolean"),
    yaml_case("crossing-share-zero", "crossings: {panj: 1.0}", "crossings: {panj: 0}", "actors[2].crossings", "not all 0"),
    yaml_case("crossing-share-inf", "crossings: {panj: 1.0}", "crossings: {panj: .inf}", "actors[2].crossings.panj", "finite"),
    yaml_case("start-km-nan", "      start_km: 600\n", "      start_km: .nan\n", "border.sectors[1].start_km", "finite"),
    yaml_case("end-km-inf", "      end_km: 600\n", "      end_km: .inf\n", "border.sectors[0].end_km", "finite"),
    yaml_case("end-km-huge", "      end_km: 1344.15\n", "      end_km: 1.0e+6\n", "border.sectors[1].end_km", "less than or equal"),
    yaml_case("crossing-km-negative", "      km: 126.7\n", "      km: -5\n", "border.crossings[0].km", "greater than or equal"),
    yaml_case("crossing-km-nan", "      km: 126.7\n", "      km: .nan\n", "border.crossings[0].km", "finite"),
    yaml_case("crossing-km-beyond", "      km: 126.7\n", "      km: 2000\n", "border.crossings[0].km", "beyond the border"),
    yaml_case("base-lat-100", "lat: 38.5,", "lat: 100,", "bases[0].lat", "less than or equal"),
    yaml_case("base-lat-nan", "lat: 38.5,", "lat: .nan,", "bases[0].lat", "finite"),
    yaml_case("base-lon-inf", "lon: 68.8,", "lon: .inf,", "bases[0].lon", "finite"),
    yaml_case("base-distance-huge", "distance_km: 100}", "distance_km: 1.0e+9}", "bases[0].distance_km", "less than or equal"),
    yaml_case("base-distance-bool", "distance_km: 100}", "distance_km: true}", "bases[0].distance_km", "boolean"),
    yaml_case("base-km-inf", "km: 300,", "km: .inf,", "bases[0].km", "finite"),
    yaml_case("id-escape", "id: tiny", 'id: "tiny\\e[31m"', "id", "control character"),
    yaml_case("title-bell", 'title: "Tiny test scenario"', 'title: "Tiny\\a scenario"', "title", "control character"),
    yaml_case("title-bidi", 'title: "Tiny test scenario"', 'title: "Tiny \\u202e scenario"', "title", "U+202E"),
    yaml_case("description-nul", 'description: "Two sectors, two units, three actors."', 'description: "Two\\0 sectors"', "description", "U+0000"),
    yaml_case("actor-name-newline", 'name: "Smugglers"', 'name: "Smug\\nglers"', "actors[0].name", "line break"),
    yaml_case("actor-name-c1", 'name: "Smugglers"', 'name: "Smug\\x9bglers"', "actors[0].name", "U+009B"),
    yaml_case("sector-name-tab", 'name: "West"', 'name: "We\\tst"', "border.sectors[0].name", "line break or tab"),
    yaml_case("group-escape", "group: East", 'group: "\\e]0;pwned\\a"', "border.sectors[1].group", "control character"),
    yaml_case("district-empty", 'afghan_district: "Darwaz"', 'afghan_district: "  "', "border.sectors[1].afghan_district", "empty"),
    yaml_case("unit-id-escape", "  - id: reserve", '  - id: "res\\eerve"', "units[1].id", "control character"),
    yaml_case("policy-desc-escape", 'description: "Equipment aid"', 'description: "Equipment\\e[2J aid"', "policies.aid.description", "control character"),
    yaml_case("event-desc-escape", 'description: "Far bank falls"', 'description: "Far\\x1b bank"', "timeline[0].description", "control character"),
    yaml_case("policy-name-plus", "  reserve-forward:", "  reserve+forward:", "policies.reserve+forward", "'+'", at='description: "Reserve to the border"'),
    yaml_case("unknown-key", "    posture: reserve\n", "    posture: reserve\n    colour: red\n", "units[1].colour", "unknown key", at="colour: red"),
    yaml_case("unknown-terrain", "terrain: gorge", "terrain: swamp", "border.sectors[1].terrain", "plain"),
    yaml_case("unknown-side", "side: RU", "side: UN", "units[1].side", "TJ"),
    yaml_case("unknown-action-kind", "{kind: set_posture,", "{kind: teleport,", "policies.reserve-forward.actions[0]", "kind"),
    yaml_case("unknown-crossing", "crossings: {panj: 1.0}", "crossings: {nowhere: 1.0}", "actors[2].crossings", "unknown crossing"),
    yaml_case("unknown-actor-in-event", "actor: smugglers,", "actor: ghosts,", "timeline[0].actions[1].actor", "unknown actor"),
    yaml_case("unknown-unit-in-policy", "unit: reserve, posture", "unit: phantom, posture", "policies.reserve-forward.actions[0].unit", "unknown unit"),
    yaml_case("unknown-base", "    base: kulob\n", "    base: moon\n", "units[1].base", "unknown base"),
    yaml_case("unknown-ledger-key", "evidence: on-request-delay}", "evidence: hearsay}", "units[1].activation.delay_days.evidence", "unknown ledger key"),
    yaml_case("missing-delay", "      delay_days: {value: 2, low: 1, high: 5, evidence: on-request-delay}\n", "", "units[1].activation", "delay_days", at="      mode: on_request"),
    yaml_case("missing-turn-back", "    turn_back: {value: 0.3, evidence: turn-back}\n", "", "actors[0]", "turn_back", at="  - id: smugglers"),
    yaml_case("missing-attackers", "    attackers: {value: 200, low: 150, high: 250, evidence: armed-incursions}\n", "", "actors[1]", "attackers", at="  - id: raiders"),
    yaml_case("missing-cost-years", "    cost_years: {value: 5, evidence: aid-service-life}\n", "", "policies.aid", "cost_years", at='description: "Equipment aid"'),
    yaml_case("quantal-without-lambda", "      rationality: {value: 1, low: 0, high: 3, evidence: route-preferences}\n", "", "actors[0].choice", "rationality", at="      model: quantal"),
    yaml_case("value-as-list", "team_size: {value: 6,", "team_size: {value: [6],", "units[0].team_size.value", "valid number"),
    yaml_case("quantity-as-number", "team_size: {value: 6, evidence: team-size}", "team_size: 6", "units[0].team_size", "valid dictionary"),
    yaml_case("duplicate-key", "    posture: reserve\n", "    posture: reserve\n    posture: border\n", "units[1].posture", "duplicate key", at="posture: border"),
    yaml_case("yaml-syntax", "    side: TJ\n", "    side: TJ: RU\n", "(top level)", "YAML syntax error"),
    yaml_case("yaml-tab-indent", "    side: TJ\n", "\tside: TJ\n", "(top level)", "YAML syntax error"),
    yaml_case("yaml-unclosed", "weights: {a: 2, b: 1}", "weights: {a: 2, b: 1", "(top level)", "YAML syntax error", at="  - id: reserve"),
    yaml_case("yaml-alias", "  - {id: kulob,", "  - {id: *x,", "(top level)", "alias *x"),
    yaml_case("yaml-anchor", "  - {id: kulob,", "  - {id: &x kulob,", "(top level)", "anchor &x"),
    yaml_case("yaml-python-tag", "    posture: reserve\n", "    posture: !!python/object:os.system reserve\n", "units[1].posture", "cannot read value"),
    yaml_case("yaml-second-document", "escalation: {mode:", "---\nescalation: {mode:", "(top level)", "one YAML document"),
    yaml_case("complex-key", "    posture: reserve\n", "    ? [a, b]\n    : reserve\n", "units[1]", "keys must be text"),
    yaml_case("huge-int-text", "threshold: 3}", "threshold: " + "9" * 5000 + "}", "escalation.threshold", "cannot read value"),
    yaml_case("include-number", "include: [tj-af-common.yaml]", "include: 5", "include", "list of file names"),
    yaml_case("include-list-of-number", "include: [tj-af-common.yaml]", "include: [5]", "include[0]", "file name"),
    yaml_case("include-blank", "include: [tj-af-common.yaml]", "include: ['']", "include[0]", "file name"),
    yaml_case("include-mapping", "include: [tj-af-common.yaml]", "include: {a: b}", "include", "list of file names"),
    yaml_case("include-absolute", "include: [tj-af-common.yaml]", "include: [tj-af-common.yaml, /etc/hostname]", "include[1]", "outside the scenario's folder"),
    yaml_case("include-dotdot", "include: [tj-af-common.yaml]", "include: [tj-af-common.yaml, ../../../../../../etc/hostname]", "include[1]", "outside"),
    yaml_case("include-missing", "include: [tj-af-common.yaml]", "include: [tj-af-common.yaml, nope.yaml]", "include[1]", "not found"),
    yaml_case("include-too-many", "include: [tj-af-common.yaml]", "include: [" + ", ".join(["x.yaml"] * 17) + "]", "include", "at most 16"),
    yaml_case("geometry-missing", "geometry: border-tj-af.geojson", "geometry: no-such.geojson", "border.geometry", "not found"),
    yaml_case("geometry-not-json", "geometry: border-tj-af.geojson", "geometry: tj-af-common.yaml", "border.geometry", "not JSON"),
    yaml_case("geometry-directory", "geometry: border-tj-af.geojson", "geometry: .", "border.geometry", "not found"),
    yaml_case("geometry-feature-missing", "geometry_feature: gshhg_wdbii_full", "geometry_feature: no_such_line", "border.geometry_feature", "not in"),
    yaml_case("run-nan-multiplier", "multiplier: {value: 1.5", "multiplier: {value: .nan", "policies.aid.actions[0].multiplier.value", "finite", command="run"),
    yaml_case("run-inf-rate", "rate_per_day: {value: 10,", "rate_per_day: {value: .inf,", "actors[0].rate_per_day.value", "finite", command="run"),
    yaml_case("run-huge-rate", "rate_per_day: {value: 10,", "rate_per_day: {value: 1.0e+12,", "actors[0].rate_per_day.value", "must be <=", command="run"),
    yaml_case("run-nan-chainage", "      end_km: 600\n", "      end_km: .nan\n", "border.sectors[0].end_km", "finite", command="run"),
    yaml_case("run-bool-value", "value: {value: 5,", "value: {value: true,", "actors[1].value.value", "boolean", command="run"),
    yaml_case("run-window-reversed", "active_until: 2021-12-31", "active_until: 2020-12-31", "units[1].active_until", "before active_from", command="run"),
]  # fmt: skip


# --- files built by code ---------------------------------------------------------------------------


def _laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for k in "bcdefghi":
        text += f"{k}: &{k} [{','.join(['*' + prev] * 9)}]\n"
        prev = k
    return text


def file_case(
    id: str, files: dict[str, str | bytes], argv: list[str], *words: str, located: str | None = None
) -> Case:
    """Write ``files`` (name -> text or bytes) into the case directory; ``{tmp}`` in ``argv`` is it."""

    def build(tmp: Path) -> list[str]:
        for name, content in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                content = content.replace("{tmp}", str(tmp))
            write_file(tmp, name, content)
        return [a.replace("{tmp}", str(tmp)) for a in argv]

    return Case(id, build, words, located)


_SC = "{tmp}/sc.yaml"
_BASE_LATIN1 = BASE.replace('"Kaldar"', '"Kald\xe4r"').encode("latin-1")
_BIG = BASE + "#" + "x" * (5 * 10**6) + "\n"  # the 5 MB file of issue 11
_POLICY = "extra:\n  description: 'more aid'\n  actions:\n    - {kind: set_equipment, multiplier: {value: 1.2, evidence: aid-equipment-effect}}\n"  # fmt: skip
_GEO_INC = "include: [tj-af-common.yaml]\n"

FILE_CASES: list[Case] = [
    file_case("billion-laughs", {"sc.yaml": _laughs()}, ["validate", _SC], "anchor &a", located="sc.yaml:1:"),
    file_case("billion-laughs-run", {"sc.yaml": _laughs()}, ["run", _SC, "-n", "2"], "anchor"),
    file_case("alias-only", {"sc.yaml": "id: x\ntitle: *t\n"}, ["validate", _SC], "alias *t", located="sc.yaml:2:"),
    file_case("deep-nesting-40", {"sc.yaml": "id: " + "[" * 40 + "]" * 40 + "\n"}, ["validate", _SC], "nested more than 32", located="sc.yaml:1:"),
    file_case("deep-nesting-5000", {"sc.yaml": "id: " + "[" * 5000 + "]" * 5000 + "\n"}, ["validate", _SC], "YAML syntax error"),
    file_case("deep-mapping-nesting", {"sc.yaml": "".join(" " * i + f"k{i}:\n" for i in range(60)) + " " * 60 + "v\n"}, ["validate", _SC], "nested more than"),
    file_case("not-utf8", {"sc.yaml": _BASE_LATIN1}, ["validate", _SC], "not UTF-8", "0xe4", located=f"sc.yaml:{line_of(BASE, 'Kaldar')}:"),
    file_case("utf16", {"sc.yaml": BASE.encode("utf-16")}, ["validate", _SC], "not UTF-8"),
    file_case("binary", {"sc.yaml": bytes(range(256))}, ["validate", _SC], "not UTF-8"),
    file_case("huge-file", {"sc.yaml": _BIG}, ["validate", _SC], "file is 4,", "limit is 512 KiB"),
    file_case("huge-file-run", {"sc.yaml": _BIG}, ["run", _SC, "-n", "2"], "limit is 512 KiB"),
    file_case("empty-file", {"sc.yaml": ""}, ["validate", _SC], "empty"),
    file_case("only-comments", {"sc.yaml": "# nothing\n"}, ["validate", _SC], "empty"),
    file_case("top-level-list", {"sc.yaml": "- a\n- b\n"}, ["validate", _SC], "top level must be a mapping"),
    file_case("top-level-scalar", {"sc.yaml": "42\n"}, ["validate", _SC], "top level must be a mapping"),
    file_case("scenario-is-directory", {"d/x": "x"}, ["validate", "{tmp}/d"], "directory"),
    file_case("scenario-missing", {}, ["validate", "{tmp}/absent.yaml"], "absent.yaml"),
    file_case("scenario-missing-run", {}, ["run", "{tmp}/absent.yaml"], "absent.yaml"),
    file_case("include-not-utf8", {"sc.yaml": BASE.replace("[tj-af-common.yaml]", "[tj-af-common.yaml, inc.yaml]"), "inc.yaml": b"x: caf\xe9\n"}, ["validate", _SC], "inc.yaml", "not UTF-8"),
    file_case("include-with-alias", {"sc.yaml": BASE.replace("[tj-af-common.yaml]", "[tj-af-common.yaml, inc.yaml]"), "inc.yaml": "x: &a 1\ny: *a\n"}, ["validate", _SC], "inc.yaml", "anchor"),
    file_case("include-a-list", {"sc.yaml": BASE.replace("[tj-af-common.yaml]", "[tj-af-common.yaml, inc.yaml]"), "inc.yaml": "- 1\n"}, ["validate", _SC], "inc.yaml", "mapping"),
    file_case("include-clash", {"sc.yaml": BASE.replace("[tj-af-common.yaml]", "[tj-af-common.yaml, inc.yaml]"), "inc.yaml": "title: other\n"}, ["validate", _SC], "title", "included file inc.yaml"),
    file_case("include-huge", {"sc.yaml": BASE.replace("[tj-af-common.yaml]", "[tj-af-common.yaml, inc.yaml]"), "inc.yaml": "#" + "x" * (3 * 2**20)}, ["validate", _SC], "inc.yaml", "limit"),
    file_case("include-symlink-out", {"sc.yaml": BASE.replace("[tj-af-common.yaml]", "[tj-af-common.yaml, link.yaml]")}, ["validate", _SC], "outside"),
    file_case("geometry-nan-coordinates", {"sc.yaml": BASE.replace("border-tj-af.geojson", "{tmp}/g.json"), "g.json": '{"features": [{"properties": {"id": "gshhg_wdbii_full"}, "geometry": {"coordinates": [[NaN, 1], [2, 3]]}}]}'}, ["validate", _SC], "finite lon/lat"),
    file_case("geometry-no-features", {"sc.yaml": BASE.replace("border-tj-af.geojson", "{tmp}/g.json"), "g.json": '{"type": "Feature"}'}, ["validate", _SC], "FeatureCollection"),
    file_case("geometry-garbled", {"sc.yaml": BASE.replace("border-tj-af.geojson", "{tmp}/g.json"), "g.json": '{"features": [}'}, ["validate", _SC], "not JSON"),
    file_case("geometry-not-utf8", {"sc.yaml": BASE.replace("border-tj-af.geojson", "{tmp}/g.json"), "g.json": b'{"a": "\xff"}'}, ["validate", _SC], "not UTF-8"),
    file_case("geometry-one-point", {"sc.yaml": BASE.replace("border-tj-af.geojson", "{tmp}/g.json"), "g.json": '{"features": [{"properties": {"id": "gshhg_wdbii_full"}, "geometry": {"coordinates": [[1, 1]]}}]}'}, ["validate", _SC], "at least two"),
    file_case("policy-file-not-utf8", {"p.yaml": b"x: \xff\n"}, ["run", "-n", "2", "--days", "3", "--policy-file", "{tmp}/p.yaml"], "not UTF-8"),
    file_case("policy-file-alias", {"p.yaml": "x: &a {description: d}\ny: *a\n"}, ["run", "-n", "2", "--policy-file", "{tmp}/p.yaml"], "anchor"),
    file_case("policy-file-two-policies", {"p.yaml": _POLICY + "other:\n  description: d\n"}, ["run", "-n", "2", "--policy-file", "{tmp}/p.yaml"], "one policy"),
    file_case("policy-file-nan", {"p.yaml": _POLICY.replace("1.2", ".nan")}, ["run", "-n", "2", "--policy-file", "{tmp}/p.yaml"], "p.yaml:4:", "finite"),
    file_case("policy-file-bool", {"p.yaml": _POLICY.replace("1.2", "true")}, ["run", "-n", "2", "--policy-file", "{tmp}/p.yaml"], "boolean"),
    file_case("policy-file-escape", {"p.yaml": _POLICY.replace("'more aid'", '"more\\e[31m aid"')}, ["run", "-n", "2", "--policy-file", "{tmp}/p.yaml"], "control character"),
    file_case("policy-file-missing", {}, ["run", "-n", "2", "--policy-file", "{tmp}/absent.yaml"], "absent.yaml"),
    file_case("policy-file-existing-name", {"p.yaml": _POLICY.replace("extra:", "aid-equipment:")}, ["run", "-n", "2", "--policy-file", "{tmp}/p.yaml"], "already has a policy"),
    file_case("experiment-not-utf8", {"e.yaml": b"factors: \xff\n"}, ["sweep", "--points", "2", "-n", "2", "--experiment", "{tmp}/e.yaml", "--out", "{tmp}/sw"], "e.yaml", "UTF-8"),
    file_case("experiment-laughs", {"e.yaml": _laughs()}, ["sweep", "--points", "2", "-n", "2", "--experiment", "{tmp}/e.yaml", "--out", "{tmp}/sw"], "e.yaml", "anchor"),
    file_case("experiment-nan-range", {"e.yaml": "factors:\n  actors.smugglers.rate_per_day: {low: .nan, high: 3}\n"}, ["sweep", "--points", "2", "-n", "2", "--experiment", "{tmp}/e.yaml", "--out", "{tmp}/sw"], "finite"),
    file_case("game-not-utf8", {"g.json": b'{"resources": \xff}'}, ["optimize", "--game", "{tmp}/g.json"], "g.json", "UTF-8"),
    file_case("game-not-json", {"g.json": "{"}, ["optimize", "--game", "{tmp}/g.json"], "g.json"),
    file_case("game-nan", {"g.json": '{"resources": NaN, "targets": []}'}, ["optimize", "--game", "{tmp}/g.json"], "g.json"),
]  # fmt: skip


# --- command lines ---------------------------------------------------------------------------------

# (case id, argv, words)
_CLI: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("engage-attackers-nan", ["engage", "--attackers", "nan"], ("--attackers",)),
    ("engage-attackers-inf", ["engage", "--attackers", "inf"], ("--attackers",)),
    ("engage-attackers-negative", ["engage", "--attackers", "-5"], ("--attackers",)),
    ("engage-attackers-huge", ["engage", "--attackers", "1e12"], ("--attackers",)),
    ("engage-attackers-text", ["engage", "--attackers", "many"], ("--attackers",)),
    ("engage-defenders-nan", ["engage", "--defenders", "nan"], ("--defenders",)),
    ("engage-defenders-inf", ["engage", "--defenders", "inf"], ("--defenders",)),
    ("engage-alpha-nan", ["engage", "--alpha", "nan"], ("--alpha",)),
    ("engage-alpha-negative", ["engage", "--alpha", "-0.1"], ("--alpha",)),
    ("engage-beta-inf", ["engage", "--beta", "inf"], ("--beta",)),
    ("engage-fortification-nan", ["engage", "--fortification", "nan"], ("--fortification",)),
    ("engage-break-defender-above-one", ["engage", "--break-defender", "1.5"], ("--break-defender",)),
    ("engage-break-attacker-nan", ["engage", "--break-attacker", "nan"], ("--break-attacker",)),
    ("engage-time-limit-inf", ["engage", "--time-limit", "inf"], ("--time-limit",)),
    ("engage-reinforcement-size-nan", ["engage", "--reinforcement-size", "nan"], ("--reinforcement-size",)),
    ("engage-reinforcement-after-nan", ["engage", "--reinforcement-after", "nan"], ("--reinforcement-after",)),
    ("engage-reinforcement-after-negative", ["engage", "--reinforcement-after", "-1"], ("--reinforcement-after",)),
    ("engage-samples-one", ["engage", "--samples", "1"], ("--samples",)),
    ("engage-samples-huge", ["engage", "--samples", "1000000000"], ("--samples",)),
    ("engage-low-above-high", ["engage", "--attackers-low", "300", "--attackers-high", "200"], ("--attackers-low",)),
    ("engage-attackers-low-nan", ["engage", "--attackers-low", "nan"], ("--attackers-low",)),
    ("optimize-lambda-inf", ["optimize", "--adversary", "quantal", "--lambda", "inf"], ("--lambda",)),
    ("optimize-lambda-nan", ["optimize", "--adversary", "quantal", "--lambda", "nan"], ("--lambda",)),
    ("optimize-lambda-negative", ["optimize", "--adversary", "quantal", "--lambda", "-1"], ("--lambda",)),
    ("optimize-quantal-without-lambda", ["optimize", "--adversary", "quantal"], ("--lambda",)),
    ("optimize-guards-nan", ["optimize", "--guards", "nan"], ("--guards",)),
    ("optimize-guards-inf", ["optimize", "--guards", "inf"], ("--guards",)),
    ("optimize-guards-negative", ["optimize", "--guards", "-5"], ("--guards",)),
    ("optimize-road-speed-inf", ["optimize", "--sites", "2", "--road-speed", "inf"], ("--road-speed",)),
    ("optimize-road-speed-zero", ["optimize", "--sites", "2", "--road-speed", "0"], ("--road-speed",)),
    ("optimize-date-9999", ["optimize", "--date", "9999-01-01"], ("--date", "1900-2200")),
    ("optimize-date-garbage", ["optimize", "--date", "soon"], ("--date", "not a date")),
    ("optimize-adversary-bogus", ["optimize", "--adversary", "clever"], ("--adversary",)),
    ("optimize-verify-days-zero", ["optimize", "--verify", "2", "--verify-days", "0"], ("--verify-days",)),
    ("optimize-verify-days-huge", ["optimize", "--verify", "2", "--verify-days", "100000"], ("--verify-days",)),
    ("optimize-sites-zero", ["optimize", "--sites", "0"], ("--sites",)),
    ("optimize-objective-bogus", ["optimize", "--sites", "2", "--objective", "best"], ("--objective",)),
    ("optimize-verify-too-big", ["optimize", "--verify", "2000000000"], ("comparing 2 policies", "memory")),
    ("optimize-unknown-policy", ["optimize", "--policy", "nosuch"], ("nosuch",)),
    ("run-replications-zero", ["run", "-n", "0"], ("--replications",)),
    ("run-replications-negative", ["run", "-n", "-3"], ("--replications",)),
    ("run-replications-text", ["run", "-n", "many"], ("--replications",)),
    ("run-days-zero", ["run", "--days", "0"], ("--days",)),
    ("run-days-huge", ["run", "--days", "10000000000"], ("--days",)),
    ("run-start-9999", ["run", "-n", "2", "--start", "9999-12-31"], ("--start", "1900-2200")),
    ("run-start-1800", ["run", "-n", "2", "--start", "1800-01-01"], ("--start", "1900-2200")),
    ("run-start-garbage", ["run", "-n", "2", "--start", "yesterday"], ("--start", "not a date")),
    ("run-seed-negative", ["run", "--seed", "-1"], ("--seed",)),
    ("run-policy-twice", ["run", "-n", "2", "--days", "3", "--policy", "aid-equipment+aid-equipment"], ("appears twice",)),
    ("run-policy-unknown", ["run", "-n", "2", "--policy", "nosuch"], ("unknown policy 'nosuch'",)),
    ("run-daily-too-big", ["run", "-n", "200000", "--daily"], ("--daily", "GiB")),
    ("run-memory-too-big", ["run", "-n", "2000000000"], ("replications", "memory")),
    ("run-unknown-scenario", ["run", "no-such-scenario"], ("no-such-scenario",)),
    ("compare-one-replication", ["compare", "-n", "1"], ("--replications",)),
    ("compare-memory-too-big", ["compare", "-n", "1000000000"], ("comparing", "memory")),
    ("compare-one-policy", ["compare", "-p", "tajik-only"], ("at least two",)),
    ("compare-policy-twice", ["compare", "-p", "tajik-only", "-p", "aid-equipment+aid-equipment", "-n", "2", "--days", "3"], ("appears twice",)),
    ("compare-same-policy-twice", ["compare", "-p", "tajik-only", "-p", "tajik-only", "-n", "2"], ("given twice",)),
    ("compare-days-huge", ["compare", "--days", "99999999"], ("--days",)),
    ("sweep-points-huge", ["sweep", "--points", "1000000000"], ("design points", "memory", "--dask")),
    ("sweep-grid-huge", ["sweep", "--design", "grid", "--points", "10"], ("design points", "memory")),
    ("sweep-points-zero", ["sweep", "--points", "0"], ("--points",)),
    ("sweep-design-bogus", ["sweep", "--design", "random"], ("--design",)),
    ("sweep-group-by-bogus", ["sweep", "--group-by", "colour"], ("--group-by",)),
    ("sweep-range-garbage", ["sweep", "--range", "nonsense"], ("--range",)),
    ("sweep-range-nan", ["sweep", "--points", "2", "-n", "2", "--range", "actors.smugglers.rate_per_day=nan:3"], ("--range", "finite")),
    ("sweep-fix-inf", ["sweep", "--points", "2", "-n", "2", "--fix", "actors.smugglers.rate_per_day=inf"], ("--fix", "finite")),
    ("sweep-policy-twice", ["sweep", "--points", "2", "-n", "2", "--policy", "aid-equipment+aid-equipment"], ("appears twice",)),
    ("sweep-policy-unknown", ["sweep", "--points", "2", "-n", "2", "--policy", "nosuch"], ("nosuch",)),
    ("sensitivity-method-bogus", ["sensitivity", "--method", "guess"], ("--method",)),
    ("sensitivity-n-huge", ["sensitivity", "--n", "1000000000"], ("design points", "memory")),
    ("validate-missing", ["validate", "absent.yaml"], ("absent.yaml",)),
    ("unknown-command", ["fly"], ("fly",)),
    ("unknown-option", ["run", "--colour", "red"], ("--colour",)),
]  # fmt: skip

CLI_CASES: list[Case] = [Case(i, lambda _tmp, a=argv: list(a), words) for i, argv, words in _CLI]


# --- the calibrated evidence kind ------------------------------------------------------------------

_TB = "turn_back: {value: 0.3, evidence: turn-back}"
_TB_PATH = "actors[0].turn_back.calibrated"


def _cal(
    observations: str = "[tj-seizures-2008]",
    calibration: str = "tajik-afghan-2008",
    extra: str = "",
) -> str:
    """The turn-back quantity of BASE with a `calibrated` block."""
    return (
        _TB[:-1]
        + f", calibrated: {{observations: {observations}, calibration: {calibration}, identified: alone{extra}}}}}"
    )


_OWN_LEDGER = BASE.replace("escalation:", "evidence:\n  own-entry:\n    assumed: {rationale: 'nobody reports it at all'}\n    calibrated: {observations: [tj-seizures-2008], calibration: tajik-afghan-2008, identified: alone}\nescalation:")  # fmt: skip
_ENTRY_ONLY = _OWN_LEDGER.replace("    assumed: {rationale: 'nobody reports it at all'}\n", "")

CALIBRATED_CASES: list[Case] = [
    yaml_case("calibrated-unknown-observation", _TB, _cal("[tj-seizures-2009]"), f"{_TB_PATH}.observations[0]", "unknown observation 'tj-seizures-2009'", "tj-clashes-2008"),
    yaml_case("calibrated-unknown-observation-run", _TB, _cal("[made-up]"), f"{_TB_PATH}.observations[0]", "unknown observation", command="run"),
    yaml_case("calibrated-excluded-observation", _TB, _cal("[gun-battles-sept-2015]"), f"{_TB_PATH}.observations[0]", "use: excluded", "only a target"),
    yaml_case("calibrated-input-observation", _TB, _cal("[soldiers-crossing-2021-07-05]"), f"{_TB_PATH}.observations[0]", "use: input", "cannot calibrate"),
    yaml_case("calibrated-observation-not-used", _TB, _cal("[tj-seizures-2008, conflict-share-2015]"), f"{_TB_PATH}.observations[1]", "did not use observation 'conflict-share-2015'"),
    yaml_case("calibrated-observation-twice", _TB, _cal("[tj-seizures-2008, tj-seizures-2008]"), f"{_TB_PATH}.observations", "cited twice"),
    yaml_case("calibrated-no-observations", _TB, _cal("[]"), f"{_TB_PATH}.observations", "at least 1"),
    yaml_case("calibrated-observation-id-bad", _TB, _cal("['../x']"), f"{_TB_PATH}.observations[0]", "pattern"),
    yaml_case("calibrated-unknown-calibration", _TB, _cal(calibration="tajik-afghan-2099"), f"{_TB_PATH}.calibration", "no shipped calibration 'tajik-afghan-2099'", "shipped: tajik-afghan-2004, tajik-afghan-2008"),
    yaml_case("calibrated-calibration-path-missing", _TB, _cal(calibration="./my-calibration"), f"{_TB_PATH}.calibration", "no calibration folder", "my-calibration"),
    yaml_case("calibrated-identified-bogus", _TB, _cal(extra="").replace("identified: alone", "identified: yes"), f"{_TB_PATH}.identified", "'alone'"),
    yaml_case("calibrated-unknown-key", _TB, _cal(extra=", by: me"), f"{_TB_PATH}.by", "unknown key"),
    yaml_case("calibrated-without-prior", _TB, _cal().replace("evidence: turn-back, ", ""), "actors[0].turn_back", "no evidence"),
    yaml_case("calibrated-control-character", _TB, _cal(extra=', note: "a\\e[31m note"'), f"{_TB_PATH}.note", "control character"),
    file_case("calibrated-folder-without-manifest", {"sc.yaml": BASE.replace(_TB, _cal(calibration="./cal")), "cal/posterior.csv": "a\n1\n"}, ["validate", _SC], "not a calibration folder", "no manifest.json", located=f"sc.yaml:{line_of(BASE, _TB)}: {_TB_PATH}.calibration"),
    file_case("calibrated-folder-not-a-calibration", {"sc.yaml": BASE.replace(_TB, _cal(calibration="./cal")), "cal/manifest.json": '{"kind": "run"}'}, ["validate", _SC], "not that of a calibration", located=f"sc.yaml:{line_of(BASE, _TB)}: {_TB_PATH}.calibration"),
    file_case("calibrated-folder-garbled-manifest", {"sc.yaml": BASE.replace(_TB, _cal(calibration="./cal")), "cal/manifest.json": "{"}, ["validate", _SC], "cannot be read", located=f"sc.yaml:{line_of(BASE, _TB)}: {_TB_PATH}.calibration"),
    file_case("calibrated-own-calibration-other-observation", {"sc.yaml": BASE.replace(_TB, _cal("[mine-2]", calibration="./cal")), "cal/manifest.json": '{"kind": "calibration", "observations_used": ["mine-1"]}'}, ["validate", _SC], "unknown observation 'mine-2'", "used: mine-1", located=f"sc.yaml:{line_of(BASE, _TB)}: {_TB_PATH}.observations[0]"),
    file_case("calibrated-entry-only", {"sc.yaml": _ENTRY_ONLY}, ["validate", _SC], "`calibrated` only adds to them", located=f"sc.yaml:{line_of(_ENTRY_ONLY, '    calibrated:')}: evidence.own-entry"),
    file_case("calibrated-entry-and-quantity", {"sc.yaml": _OWN_LEDGER.replace(_TB, _cal().replace("turn-back", "own-entry"))}, ["validate", _SC], "ledger entry 'own-entry' already says it is calibrated", located=f"sc.yaml:{line_of(_OWN_LEDGER, _TB)}: {_TB_PATH}"),
    file_case("calibrated-entry-unknown-calibration", {"sc.yaml": _OWN_LEDGER.replace("calibration: tajik-afghan-2008", "calibration: nope")}, ["validate", _SC], "no shipped calibration 'nope'", located=f"sc.yaml:{line_of(_OWN_LEDGER, '    calibrated:')}: evidence.own-entry.calibrated.calibration"),
]  # fmt: skip

CASES: list[Case] = [*_numeric_cases(), *YAML_CASES, *FILE_CASES, *CLI_CASES, *CALIBRATED_CASES]
