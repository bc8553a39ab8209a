"""Feeds awork-sim's JSON Schema events with impossible values, and checks that it refuses every one
of them with Python's `jsonschema` (an independent implementation of JSON Schema 2020-12) twice:
with format checking on (`date-time` through `rfc3339-validator`, `uuid`), and with it off, as
validators that ignore `format` read a schema, where the patterns alone must refuse them.

Usage: refuse_impossible_values.py SCHEMA FILE

FILE holds valid NDJSON events (`awork-sim generate`). Every date-time, time of day and id in an
event (outside `changes`, whose old and new values the schema leaves open) is found by its form;
each mutant is one event with one of them made impossible in one way (a class). Controls are the
same events with one value changed to a legal but unusual form; they must be accepted both ways,
so that a schema refusing everything fails here. Last, the schema's date-time patterns, on their
own, must agree with the calendar and the clock on every month and day of years chosen around the
leap-year rules, and on every hour, minute, second, fraction and offset near the limits.

Prints one line per class, `CLASS: N mutants, A admitted with formats, B admitted without` (the
admitted values follow it), then `N mutants in K classes, A admitted with formats, B admitted
without`, `N controls, R refused` and `N calendar and clock values, D disagreements`.
"""
import calendar
import json
import random
import re
import sys

from jsonschema import Draft202012Validator

DATE_TIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)T(?P<time>\d\d:\d\d:\d\d)(?P<fraction>\.\d+)?"
    r"(?P<offset>Z|[+-]\d\d:\d\d)?"
)
TIME_OF_DAY = re.compile(r"(?P<time>\d\d:\d\d:\d\d)(?P<fraction>\.\d+)?")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def kind_of(value):
    """The kind of a string whose form awork fixes: `offset`, `local`, `time`, `id`, or None."""
    if not isinstance(value, str):
        return None
    match = DATE_TIME.fullmatch(value)
    if match:
        return "offset" if match["offset"] else "local"
    if TIME_OF_DAY.fullmatch(value):
        return "time"
    if UUID.fullmatch(value):
        return "id"
    return None


def fields(value, path=()):
    """Every (path, kind) of the strings of `value` whose form awork fixes, `changes` left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            if path == () and key == "changes":
                continue
            yield from fields(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from fields(item, (*path, index))
    else:
        kind = kind_of(value)
        if kind is not None:
            yield path, kind


def get(event, path):
    for key in path:
        event = event[key]
    return event


def name_of(path):
    """The property a path ends in (`entity.project.id`, without list indices)."""
    return ".".join(str(key) for key in path if isinstance(key, str))


def with_value(event, path, value):
    """A deep copy of `event` with the value at `path` replaced."""
    copy = json.loads(json.dumps(event))
    get(copy, path[:-1])[path[-1]] = value
    return copy


def rebuild(text, **parts):
    """`text` (a date-time or a time of day) with some of its parts replaced: year, month, day, time
    (`hh:mm:ss`), fraction (with its dot, or empty) and offset (or empty)."""
    match = DATE_TIME.fullmatch(text) or TIME_OF_DAY.fullmatch(text)
    have = {name: value or "" for name, value in match.groupdict().items()}
    have.update(parts)
    if match.re is TIME_OF_DAY:
        return have["time"] + have["fraction"]
    return f"{have['year']}-{have['month']}-{have['day']}T{have['time']}{have['fraction']}{have['offset']}"


def set_clock(text, hour=None, minute=None, second=None):
    match = DATE_TIME.fullmatch(text) or TIME_OF_DAY.fullmatch(text)
    hh, mm, ss = match["time"].split(":")
    time = f"{hour or hh}:{minute or mm}:{second or ss}"
    return rebuild(text, time=time)


def two(rng, low, high):
    return f"{rng.randint(low, high):02d}"


def uppercase_wrong_length(rng, value):
    groups = value.upper().split("-")
    index = rng.randrange(5)
    if rng.random() < 0.5 and len(groups[index]) > 1:
        groups[index] = groups[index][:-1]
    else:
        groups[index] += rng.choice("0123456789ABCDEF")
    return "-".join(groups)


DATES = ("offset", "local")
CLOCKS = ("offset", "local", "time")

# Each class: the kinds it applies to, and how it makes a value impossible.
CLASSES = {
    "month 13 to 99": (DATES, lambda rng, v: rebuild(v, month=two(rng, 13, 99))),
    "month 00": (DATES, lambda rng, v: rebuild(v, month="00")),
    "day 32 to 99": (DATES, lambda rng, v: rebuild(v, day=two(rng, 32, 99))),
    "day 00": (DATES, lambda rng, v: rebuild(v, day="00")),
    "day 31 of a 30-day month, or 30 February": (
        DATES,
        lambda rng, v: rebuild(v, **rng.choice(
            [{"month": m, "day": "31"} for m in ("04", "06", "09", "11")] + [{"month": "02", "day": "30"}]
        )),
    ),
    "29 February of a common year": (
        DATES,
        lambda rng, v: rebuild(v, year=rng.choice(["2023", "2025", "1900", "2100", "1800"]), month="02", day="29"),
    ),
    "year 0000": (DATES, lambda rng, v: rebuild(v, year="0000")),
    "hour 24 to 99": (CLOCKS, lambda rng, v: set_clock(v, hour=two(rng, 24, 99))),
    "minute 60 to 99": (CLOCKS, lambda rng, v: set_clock(v, minute=two(rng, 60, 99))),
    "second 60 (a leap second)": (CLOCKS, lambda rng, v: set_clock(v, second="60")),
    "second 61 to 99": (CLOCKS, lambda rng, v: set_clock(v, second=two(rng, 61, 99))),
    "8 or 9 fractional digits": (
        CLOCKS,
        lambda rng, v: rebuild(v, fraction="." + "".join(rng.choice("0123456789") for _ in range(rng.choice([8, 9])))),
    ),
    "a dot without digits": (CLOCKS, lambda rng, v: rebuild(v, fraction=".")),
    "2025-13-45T25:61:61": (DATES, lambda rng, v: rebuild(v, year="2025", month="13", day="45", time="25:61:61")),
    "offset +99:99": (("offset",), lambda rng, v: rebuild(v, offset="+99:99")),
    "offset hours 24 to 99": (("offset",), lambda rng, v: rebuild(v, offset=rng.choice("+-") + two(rng, 24, 99) + ":00")),
    "offset minutes 60 to 99": (("offset",), lambda rng, v: rebuild(v, offset=rng.choice("+-") + two(rng, 0, 23) + ":" + two(rng, 60, 99))),
    "offset without colon": (("offset",), lambda rng, v: rebuild(v, offset="+0100")),
    "no offset where awork writes one": (("offset",), lambda rng, v: rebuild(v, offset="")),
    "an offset on a local date-time": (("local",), lambda rng, v: rebuild(v, offset=rng.choice(["Z", "+00:00", "+01:00"]))),
    "id 'not-a-uuid'": (("id",), lambda rng, v: "not-a-uuid"),
    "id in uppercase, a group too long or short": (("id",), uppercase_wrong_length),
    "id in uppercase": (("id",), lambda rng, v: v.upper()),
    "id without dashes": (("id",), lambda rng, v: v.replace("-", "")),
    "id in braces": (("id",), lambda rng, v: "{" + v + "}"),
    "id with a non-hex digit": (
        ("id",),
        lambda rng, v: (lambda at: v[:at] + rng.choice("gxz") + v[at + 1:])(rng.choice([i for i, c in enumerate(v) if c != "-"])),
    ),
    "id empty": (("id",), lambda rng, v: ""),
    "id a number": (("id",), lambda rng, v: rng.choice([42, 0, -1, 3.5, 12345678901234567890])),
}

# Legal but unusual values: they must be accepted.
CONTROLS = {
    "offset": [
        lambda v: rebuild(v, fraction=""),
        *[lambda v, n=n: rebuild(v, fraction="." + "1234567"[:n]) for n in range(1, 8)],
        lambda v: rebuild(v, offset="Z"),
        lambda v: rebuild(v, offset="+23:59"),
        lambda v: rebuild(v, offset="-00:00"),
        lambda v: rebuild(v, offset="+14:00"),
        lambda v: rebuild(v, year="2024", month="02", day="29"),
        lambda v: rebuild(v, year="2000", month="02", day="29"),
        lambda v: rebuild(v, year="0001", month="01", day="01", time="00:00:00"),
        lambda v: rebuild(v, year="9999", month="12", day="31", time="23:59:59", fraction=".9999999"),
    ],
    "local": [
        lambda v: rebuild(v, fraction=".8220632"),
        lambda v: rebuild(v, year="2024", month="02", day="29"),
        lambda v: rebuild(v, month="12", day="31", time="23:59:59"),
    ],
    "time": [
        lambda v: "00:00:00",
        lambda v: "23:59:59.9999999",
        lambda v: "13:08:51.82",
    ],
    "id": [
        lambda v: "00000000-0000-0000-0000-000000000000",
        lambda v: "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ],
}


def calendar_and_clock(schema):
    """Values for the schemas of the envelope's timestamp, a local date-time and a time of day,
    with whether each is possible: yields (subschema, value, possible)."""
    timestamp = schema["properties"]["timestamp"]
    local = schema["$defs"]["TimeTracking"]["properties"]["startDateLocal"]
    time_of_day = schema["$defs"]["TimeTracking"]["properties"]["startTimeUtc"]
    for year in (0, 1, 4, 100, 400, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 9996, 9999):
        for month in range(0, 14):
            for day in range(0, 33):
                possible = 1 <= year and 1 <= month <= 12 and 1 <= day <= (
                    calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
                )
                date = f"{year:04d}-{month:02d}-{day:02d}"
                yield timestamp, f"{date}T12:00:00Z", possible
                yield local, f"{date}T12:00:00", possible
    for hour in range(0, 26):
        for minute in (0, 1, 59, 60, 61):
            for second in (0, 59, 60, 61):
                possible = hour < 24 and minute < 60 and second < 60
                clock = f"{hour:02d}:{minute:02d}:{second:02d}"
                yield timestamp, f"2024-01-31T{clock}+01:00", possible
                yield local, f"2024-01-31T{clock}", possible
                yield time_of_day, clock, possible
    for digits in range(0, 10):
        fraction = "." + "5" * digits if digits else ""
        yield timestamp, f"2024-01-31T12:00:00{fraction}Z", digits <= 7
        yield local, f"2024-01-31T12:00:00{fraction}", digits <= 7
        yield time_of_day, f"12:00:00{fraction}", digits <= 7
    for sign in "+-":
        for hours in range(0, 26):
            for minutes in (0, 30, 59, 60, 99):
                offset = f"{sign}{hours:02d}:{minutes:02d}"
                yield timestamp, f"2024-01-31T12:00:00{offset}", hours < 24 and minutes < 60


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    checker = Draft202012Validator.FORMAT_CHECKER
    # Without `rfc3339-validator`, jsonschema checks no date-time and says nothing.
    missing = {"date-time", "uuid"} - set(checker.checkers)
    if missing:
        sys.exit(f"jsonschema cannot check the formats {sorted(missing)}: pip install rfc3339-validator")
    with_formats = Draft202012Validator(schema, format_checker=checker)
    without_formats = Draft202012Validator(schema)
    validators = (with_formats, without_formats)

    # At most three events of each type, so that every entity's fields are mutated.
    events, per_type = [], {}
    for line in open(sys.argv[2], encoding="utf-8"):
        if line.strip():
            event = json.loads(line)
            per_type[event["eventType"]] = per_type.get(event["eventType"], 0) + 1
            if per_type[event["eventType"]] <= 3:
                events.append(event)
    for number, event in enumerate(events, 1):
        for validator in validators:
            error = next(validator.iter_errors(event), None)
            if error is not None:
                sys.exit(f"event {number} is invalid before any change: {error.message[:200]}")

    rng = random.Random(20250203)
    by_class = {name: [0, [], []] for name in CLASSES}
    controls = controls_refused = 0
    names = set()
    for event in events:
        found = list(fields(event))
        for name, (kinds, mutate) in CLASSES.items():
            eligible = [path for path, kind in found if kind in kinds]
            if not eligible:
                continue
            path = rng.choice(eligible)
            mutant = with_value(event, path, mutate(rng, get(event, path)))
            entry = by_class[name]
            entry[0] += 1
            names.add((kinds, name_of(path)))
            where = "/".join(map(str, path))
            for admitted, validator in zip(entry[1:], validators):
                if validator.is_valid(mutant):
                    admitted.append(f"{where}: {json.dumps(get(mutant, path))}")
        for kind, changes in CONTROLS.items():
            eligible = [path for path, found_kind in found if found_kind == kind]
            if not eligible:
                continue
            path = rng.choice(eligible)
            for change in changes:
                control = with_value(event, path, change(get(event, path)))
                controls += 1
                for validator in validators:
                    error = next(validator.iter_errors(control), None)
                    if error is not None:
                        controls_refused += 1
                        print(f"control refused: {'/'.join(map(str, path))}: {error.message[:200]}")
                        break

    total = admitted_with = admitted_without = 0
    for name, (count, with_, without) in by_class.items():
        print(f"{name}: {count} mutants, {len(with_)} admitted with formats, {len(without)} admitted without")
        for value in (with_ + without)[:3]:
            print(f"    admitted: {value}")
        total += count
        admitted_with += len(with_)
        admitted_without += len(without)
    print(f"{total} mutants in {len(by_class)} classes, {admitted_with} admitted with formats, "
          f"{admitted_without} admitted without")
    print(f"{len({name for _, name in names})} properties mutated, from {len(events)} events")
    print(f"{controls} controls, {controls_refused} refused")

    checked = disagreements = 0
    compiled = {}
    for subschema, value, possible in calendar_and_clock(schema):
        key = id(subschema)
        if key not in compiled:
            compiled[key] = Draft202012Validator(subschema)
        checked += 1
        if compiled[key].is_valid(value) != possible:
            disagreements += 1
            print(f"the pattern {'refuses' if possible else 'admits'} {value}")
    print(f"{checked} calendar and clock values, {disagreements} disagreements")


if __name__ == "__main__":
    main()
