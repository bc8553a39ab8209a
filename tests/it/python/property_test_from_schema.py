"""Property tests of two timestamp parsers with events drawn from awork-sim's JSON Schema of one
event type by `hypothesis-jsonschema`: a correct parser passes, and one with a planted bug fails.

Usage: property_test_from_schema.py SCHEMA EXAMPLES [OUT]

The correct parser reads `timestamp`, and every date-time of the entity, with Python's
`datetime.fromisoformat` (3.11 and later: `Z`, offsets, and 1 to 7 fractional digits, the seventh
dropped, so a .NET timestamp needs no trimming), and requires an offset. The planted bug is a
parser that takes every date-time to have exactly three fractional digits. Both read the same
EXAMPLES examples (derandomized, no example database, no shrinking). Prints `correct parser: N
examples passed` (or what it failed on), then `fixed-fraction parser: failed on F of N examples,
the first TEXT (ERROR)` (or `fixed-fraction parser: N examples passed`). With OUT, writes the
examples there as NDJSON, each `entityId` set to its entity's id (which a schema cannot tie), for
`awork-sim validate` to say whether the models read what the schema accepts.
"""
import json
import sys
from datetime import datetime

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_jsonschema import from_schema

# The entity date-times of awork's models, all with an offset.
ENTITY_DATES = ("createdOn", "updatedOn", "dueOn", "startOn", "endOn", "closedOn", "deletedOn")


def from_iso(text):
    """The correct way: the standard library's ISO 8601 reader, which knows every RFC 3339 form."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no offset")
    return moment


def from_millis(text):
    """The planted bug: awork's date-times taken to have exactly three fractional digits."""
    moment = datetime.strptime(text[:23], "%Y-%m-%dT%H:%M:%S.%f")
    offset = text[23:]
    zone = datetime.strptime("+00:00" if offset == "Z" else offset, "%z").tzinfo
    return moment.replace(tzinfo=zone)


def parser(parse_date_time):
    """A receiver's parser of the event's date-times, built on `parse_date_time`."""

    def parse(body):
        event = json.loads(body)
        moments = [parse_date_time(event["timestamp"])]
        for name in ENTITY_DATES:
            value = event["entity"].get(name)
            if isinstance(value, str):
                moments.append(parse_date_time(value))
        return moments

    return parse


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    examples = int(sys.argv[2])
    out = open(sys.argv[3], "w", encoding="utf-8") if len(sys.argv) > 3 else None
    correct, buggy = parser(from_iso), parser(from_millis)
    ran, caught, first = 0, 0, None

    # One run serves both parsers: each example must pass the correct one; the planted bug is
    # counted, not raised, so that the figures say how often it is caught.
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(from_schema(schema))
    def test(event):
        nonlocal ran, caught, first
        ran += 1
        body = json.dumps(event)
        if out:
            if isinstance(event["entity"].get("id"), str):
                event["entityId"] = event["entity"]["id"]
            out.write(json.dumps(event) + "\n")
        correct(body)
        try:
            buggy(body)
        except ValueError as error:
            caught += 1
            first = first or f"{event['timestamp']} ({error})"

    try:
        test()
    except ValueError as error:
        print(f"correct parser: failed after {ran} examples ({error})")
        return
    print(f"correct parser: {ran} examples passed")
    if caught:
        print(f"fixed-fraction parser: failed on {caught} of {ran} examples, the first {first}")
    else:
        print(f"fixed-fraction parser: {ran} examples passed")


if __name__ == "__main__":
    main()
