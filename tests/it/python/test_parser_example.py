"""Property tests of a parser of awork webhooks in Python: the README's example, run as written.

Needs `awork-sim` on PATH, Python 3.11 or later, and
`pip install hypothesis==6.130.12 hypothesis-jsonschema==0.23.1`.
Run with `python3 test_parser_example.py` (or pytest).
"""
import json
import subprocess
from datetime import datetime

from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_jsonschema import from_schema


def parse(body: str):
    """The parser under test: it reads what the receiver needs, and nothing more."""
    event = json.loads(body)
    # Every form awork writes: `Z` or an offset, 0 to 7 fractional digits (Python 3.11 and later).
    when = datetime.fromisoformat(event["timestamp"])
    return event["eventType"], event["entityId"], when


def awork_sim(*args: str) -> str:
    return subprocess.run(["awork-sim", *args], capture_output=True, text=True, check=True).stdout


# A seeded corpus of awkward but legal events: awkward text, unknown properties, every timestamp
# form, optionals left out, event types awork may add later. Drawing from it (rather than from a
# seed) lets hypothesis shrink towards the first events, not to an unrelated story.
CORPUS = [line for line in awork_sim("generate", "--awkward", "--count", "2000", "--seed", "3").split("\n") if line]


@settings(max_examples=500)
@given(st.sampled_from(CORPUS))
def test_parser_reads_every_awkward_event(body):
    name, entity_id, when = parse(body)
    assert name and entity_id and when.tzinfo is not None


# Events drawn from the JSON Schema of one event type: shapes no story would tell.
TASK_ADDED = json.loads(awork_sim("schema", "--event", "task_added"))


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(from_schema(TASK_ADDED))
def test_parser_reads_anything_the_schema_allows(event):
    name, _, when = parse(json.dumps(event))
    assert name == "task_added" and when.tzinfo is not None


if __name__ == "__main__":
    test_parser_reads_every_awkward_event()
    test_parser_reads_anything_the_schema_allows()
    print("ok")
