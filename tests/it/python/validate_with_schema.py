"""Validates NDJSON events against a JSON Schema with the `jsonschema` package (an independent
implementation of JSON Schema 2020-12). Usage: validate_with_schema.py SCHEMA FILE...

Prints one line per invalid event (file, line, first error) and a last line `N events, M invalid`.
"""
import json
import sys

from jsonschema import Draft202012Validator

schema = json.load(open(sys.argv[1], encoding="utf-8"))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
events = invalid = 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as lines:
        # Iterating a file splits on "\n" only, as NDJSON does (str.splitlines would also split
        # inside strings at U+2028, which JSON allows unescaped).
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            events += 1
            error = next(validator.iter_errors(json.loads(line)), None)
            if error is not None:
                invalid += 1
                where = "/".join(map(str, error.absolute_path))
                print(f"{path}:{number}: {where}: {error.message[:200]}")
print(f"{events} events, {invalid} invalid")
