"""Validates NDJSON events against a JSON Schema with the `jsonschema` package (an independent
implementation of JSON Schema 2020-12). Usage: validate_with_schema.py [--formats] SCHEMA FILE...

With `--formats`, formats are checked too (`date-time` needs `rfc3339-validator`, without which
jsonschema would skip it silently: then this fails).

Prints one line per invalid event (file, line, first error) and a last line `N events, M invalid`.
"""
import json
import sys

from jsonschema import Draft202012Validator

args = sys.argv[1:]
formats = args[0] == "--formats"
if formats:
    args.pop(0)
    if "date-time" not in Draft202012Validator.FORMAT_CHECKER.checkers:
        sys.exit("jsonschema cannot check date-time: pip install rfc3339-validator")
schema = json.load(open(args[0], encoding="utf-8"))
Draft202012Validator.check_schema(schema)
checker = Draft202012Validator.FORMAT_CHECKER if formats else None
validator = Draft202012Validator(schema, format_checker=checker)
events = invalid = 0
for path in args[1:]:
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
