// The public API reports: API Extractor writes what each entry point exports (every signature) to
// etc/api/<name>.api.md, so a change of the public surface shows as a diff in review. `npm test` runs
// this without --local: it fails when a report differs from the checked-in one and prints the diff.
// With --local (`npm run api:update`) it rewrites the reports instead. Needs the build (dist/*.d.ts).
// One config per entry point in api-extractor/ (base.json holds the shared settings): index.json for
// `mlflow-ts` (etc/api/mlflow-ts.api.md), <subpath>.json for `mlflow-ts/<subpath>`
// (etc/api/mlflow-ts-<subpath>.api.md); all entries are analysed on one compiler state, so adding an
// entry costs little. API Extractor sees one entry at a time, so two of its findings read
// differently with several entries: an `ae-forgotten-export` line in a report names a type that
// entry's signatures use but do not export — often one another entry exports (the root's
// `MlflowClient` in mlflow-ts/sync, the advanced entry's `TrackingStore` under `client.store`);
// and `ae-unresolved-link` is off, since a {@link} to another entry's export is valid — typedoc,
// which reads every entry at once, checks the links (`npm run docs` and npm test; a warning fails).
//
//   node scripts/api-report.mjs            # check (npm test, CI)
//   node scripts/api-report.mjs --local    # update etc/api/ (after `npm run build`)
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { CompilerState, Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const CONFIG_DIR = "api-extractor";
const local = process.argv.includes("--local");
const names = readdirSync(CONFIG_DIR)
  .filter((file) => file.endsWith(".json") && file !== "base.json")
  .sort();
const configs = names.map((file) => ExtractorConfig.loadFileAndPrepare(join(CONFIG_DIR, file)));
for (const config of configs) {
  if (!existsSync(config.mainEntryPointFilePath)) {
    console.error(`${config.mainEntryPointFilePath} does not exist. Fix: run \`npm run build\` first.`);
    process.exit(1);
  }
  mkdirSync(config.reportFolder, { recursive: true });
  mkdirSync(config.reportTempFolder, { recursive: true });
}
const compilerState = CompilerState.create(configs[0], { additionalEntryPoints: configs.map((config) => config.mainEntryPointFilePath) });
let failed = 0;
for (const config of configs) {
  const result = Extractor.invoke(config, { localBuild: local, compilerState, printApiReportDiff: !local });
  const report = relative(process.cwd(), join(config.reportFolder, config.reportConfigs[0]?.fileName ?? "?"));
  if (result.succeeded) {
    console.log(`${report}: ${local && result.apiReportChanged ? "updated" : "up to date"}`);
    continue;
  }
  failed++;
  console.error(
    `${report}: ${result.errorCount} errors, ${result.warningCount} warnings.` +
      (result.apiReportChanged
        ? " The public API of this entry point changed. Fix: if the change is intended, run `npm run api:update` and commit etc/api/; otherwise undo it."
        : " Fix: see the messages above."),
  );
}
process.exit(failed === 0 ? 0 : 1);
