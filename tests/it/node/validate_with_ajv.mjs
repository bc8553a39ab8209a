// Validates NDJSON events against `awork-sim schema` with ajv 8 (the 2020-12 dialect) and
// ajv-formats, set up exactly as the README tells ajv users to: a second implementation beside
// Python's jsonschema. Usage: node validate_with_ajv.mjs AJV_DIR SCHEMA EVENTS.ndjson...
// Prints each invalid event's first error, then "N events, M invalid".
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [ajvDir, schemaPath, ...files] = process.argv.slice(2);
const require = createRequire(join(ajvDir, "node_modules", "placeholder.js"));
const Ajv2020 = require("ajv/dist/2020.js").default;
const addFormats = require("ajv-formats").default;

const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));

let events = 0;
let invalid = 0;
for (const file of files) {
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    events += 1;
    if (!validate(JSON.parse(line))) {
      invalid += 1;
      const [first] = validate.errors;
      console.log(`${file}:${events}: ${first.instancePath} ${first.message}`);
    }
  }
}
console.log(`${events} events, ${invalid} invalid`);
