"""Validates the entities of NDJSON events against awork's own OpenAPI document with the
`openapi-schema-validator` package (an independent implementation of OpenAPI 3.0's schema object,
`nullable` and `additionalProperties` as the document declares them).

Usage: validate_with_openapi.py OPENAPI CONFIG FILE...

CONFIG is JSON: {"schemas": {entityType: schema name}, "extras": [[schema, property], ...]}. Each
extra is a property awork is known to send beyond its schema (`awork_openapi::EVIDENCED_EXTRAS`,
each with its ENTITIES.md evidence); it is added to that schema's properties, and nothing else is
allowed. Prints one line per invalid event (file, line, schema, path, error) and a last line
`N events, M invalid`.
"""
import json
import sys

from openapi_schema_validator import OAS30Validator

document = json.load(open(sys.argv[1], encoding="utf-8"))
config = json.load(open(sys.argv[2], encoding="utf-8"))
schemas = document["components"]["schemas"]
for schema, prop in config["extras"]:
    schemas[schema].setdefault("properties", {})[prop] = {}
# Each validator's root holds the document's components, so that every `$ref` resolves in it.
validators = {
    name: OAS30Validator({"components": document["components"], "$ref": f"#/components/schemas/{name}"})
    for name in set(config["schemas"].values())
}

events = invalid = 0
for path in sys.argv[3:]:
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            events += 1
            event = json.loads(line)
            name = config["schemas"].get(event["entityType"])
            if name is None:
                invalid += 1
                print(f"{path}:{number}: no schema for entityType {event['entityType']!r}")
                continue
            error = next(validators[name].iter_errors(event["entity"]), None)
            if error is not None:
                invalid += 1
                where = "/".join(map(str, error.absolute_path))
                print(f"{path}:{number}: {name}: {where}: {error.message[:200]}")
print(f"{events} events, {invalid} invalid")
