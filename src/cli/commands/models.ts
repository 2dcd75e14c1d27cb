/**
 * `mlflow-ts models register|alias|describe`: the model registry from a shell, for the CI step that
 * registers what a job trained and points an alias at it. Registration is `client.models.register`
 * (the source checked before anything is written, race-safe creation, bounded wait for READY);
 * aliases and reads are one call each over `client.registeredModels` and `client.modelVersions`.
 */
import { Command } from "commander";
import { InvalidParameterError, NotFoundError, ValidationError } from "../../core/errors.js";
import type { ModelVersion, RegisteredModel } from "../../protocol/entities/registry.js";
import { looksLikeModelId, uriScheme } from "../../protocol/uri.js";
import { validateAlias, validateModelName } from "../../protocol/validation.js";
import { collect, parseKeyValue } from "../arguments.js";
import type { CliContext } from "../context.js";
import { CliFailure } from "../errors.js";
import { formatPairs } from "../output/pairs.js";
import { formatTable, formatTime } from "../output/table.js";

/** How long `register --wait` (or `--alias`, which needs a READY version) waits: 5 minutes, as Python. */
const REGISTER_WAIT_MS = 300_000;

interface RegisterOptions {
  alias: string[];
  tag: { key: string; value: string }[];
  wait?: boolean;
  json?: boolean;
}

/**
 * The `models` command and its subcommands.
 * @internal
 */
export function modelsCommand(context: CliContext): Command {
  const register = new Command("register")
    .description("register a model as a new version of a registered model (created when missing)")
    .argument("<source>", "runs:/<run id>/<path>, models:/<model id> or a bare logged-model id (m-…), models:/<name>/<version> or models:/<name>@<alias>")
    .argument("<name>", "the registered model")
    .option("--alias <alias>", "point this alias at the new version (repeatable; waits for READY)", collect(String), [])
    .option("--tag <key=value>", "a tag of the new version (repeatable)", collect(parseKeyValue), [])
    .option("--wait", "wait until the version is READY (at most 5 minutes)")
    .option("--json", "print the model version as the REST API returns it")
    .addHelpText("after", "\nExample:\n  $ mlflow-ts models register runs:/$MLFLOW_RUN_ID/model churn --alias candidate --tag git=$GITHUB_SHA")
    .action(async (source: string, name: string, options: RegisterOptions) => registerVersion(context, source, name, options));
  const alias = new Command("alias")
    .description("point an alias at a version, or delete it")
    .argument("<name>", "the registered model")
    .argument("<alias>", "the alias, e.g. champion")
    .argument("[version]", "the version it points at")
    .option("--delete", "delete the alias instead")
    .addHelpText("after", "\nExamples:\n  $ mlflow-ts models alias churn champion 7\n  $ mlflow-ts models alias churn challenger --delete")
    .action(async (name: string, aliasName: string, version: string | undefined, options: { delete?: boolean }) =>
      setOrDeleteAlias(context, name, aliasName, version, options.delete === true),
    );
  const describe = new Command("describe")
    .description("show a registered model (versions, aliases, tags) or one version (source, run, status, tags)")
    .argument("<model>", "<name>, <name>@<alias> or <name>/<version> (a models:/ prefix is fine)")
    .option("--json", "print JSON: { registered_model, versions } for a name, the model version otherwise")
    .action(async (ref: string, options: { json?: boolean }) => describeModel(context, ref, options.json === true));
  return new Command("models")
    .description("register models, set aliases, describe registered models")
    .addCommand(register)
    .addCommand(alias)
    .addCommand(describe);
}

async function registerVersion(context: CliContext, source: string, name: string, options: RegisterOptions): Promise<void> {
  for (const alias of options.alias) validateAlias(alias); // all checked before anything is written
  const modelUri = uriScheme(source) === undefined && looksLikeModelId(source) ? `models:/${source}` : source;
  const waits = options.wait === true || options.alias.length > 0;
  const client = context.client();
  const [first, ...rest] = options.alias;
  let version = await client.models.register(modelUri, name, { alias: first, tags: options.tag, awaitReadyMs: waits ? REGISTER_WAIT_MS : 0 });
  for (const alias of rest) await client.registeredModels.setAlias(name, alias, version.version);
  if (rest.length > 0) version = await client.modelVersions.get(name, version.version);
  if (options.json) return context.print(JSON.stringify(version, null, 2));
  const aliases = version.aliases.length > 0 ? `; aliases: ${version.aliases.join(", ")}` : "";
  context.print(`Registered ${name} version ${version.version} (${version.status ?? "READY"}) from ${version.source ?? modelUri}${aliases}.`);
}

async function setOrDeleteAlias(context: CliContext, name: string, alias: string, version: string | undefined, remove: boolean): Promise<void> {
  if (remove === (version !== undefined))
    throw new ValidationError(
      "version",
      "alias-arguments",
      remove
        ? `--delete removes the alias, so no version goes with it (got "${version}"). Fix: mlflow-ts models alias ${name} ${alias} --delete.`
        : `Which version should "${alias}" point at? Fix: mlflow-ts models alias ${name} ${alias} <version>, or add --delete to remove it.`,
    );
  validateModelName(name);
  validateAlias(alias);
  const client = context.client();
  const model = await registeredModel(context, name);
  if (remove) {
    if (!model.aliases.some((entry) => entry.alias === alias)) throw missingAlias(model, alias);
    await client.registeredModels.deleteAlias(name, alias);
    return context.print(`Deleted alias ${name}@${alias}.`);
  }
  await modelVersion(context, name, version!);
  await client.registeredModels.setAlias(name, alias, version!);
  context.print(`${name}@${alias} → version ${version}.`);
}

async function describeModel(context: CliContext, ref: string, json: boolean): Promise<void> {
  const { name, alias, version } = parseModelRef(ref);
  const client = context.client();
  const model = await registeredModel(context, name);
  if (alias === undefined && version === undefined) {
    const versions = await client.modelVersions.search({ filter: `name='${name.replace(/'/g, "\\'")}'` });
    versions.sort((a, b) => Number(b.version) - Number(a.version));
    context.print(json ? JSON.stringify({ registered_model: model, versions }, null, 2) : describeRegisteredModel(model, versions));
    return;
  }
  if (alias !== undefined && !model.aliases.some((entry) => entry.alias === alias)) throw missingAlias(model, alias);
  const found = alias !== undefined ? await client.registeredModels.getByAlias(name, alias) : await modelVersion(context, name, version!);
  context.print(json ? JSON.stringify(found, null, 2) : describeVersion(found));
}

/**
 * `<name>`, `<name>@<alias>` or `<name>/<version>`, with or without `models:/`. Names never hold
 * `/`, aliases never hold `@`, so the last of each splits.
 */
function parseModelRef(ref: string): { name: string; alias?: string; version?: string } {
  const bare = ref.replace(/^models:\/+/i, "");
  const at = bare.lastIndexOf("@");
  const slash = bare.indexOf("/");
  const bad = (): ValidationError =>
    new ValidationError("model", "model-ref", `"${ref}" is not <name>, <name>@<alias> or <name>/<version>. Fix: e.g. churn, churn@champion or churn/3.`);
  if (slash >= 0) {
    const version = bare.slice(slash + 1);
    if (!/^\d+$/.test(version) || at > slash) throw bad();
    return { name: checkedName(bare.slice(0, slash), bad), version };
  }
  if (at >= 0) {
    const alias = bare.slice(at + 1);
    validateAlias(alias);
    return { name: checkedName(bare.slice(0, at), bad), alias };
  }
  return { name: checkedName(bare, bad) };
}

function checkedName(name: string, bad: () => ValidationError): string {
  if (name === "") throw bad();
  validateModelName(name);
  return name;
}

/** The registered model, or a failure naming it and the fix. */
async function registeredModel(context: CliContext, name: string): Promise<RegisteredModel> {
  try {
    return await context.client().registeredModels.get(name);
  } catch (error) {
    if (!(error instanceof NotFoundError || error instanceof InvalidParameterError)) throw error;
    throw new CliFailure(`There is no registered model named "${name}". Fix: check the name; register one with mlflow-ts models register <source> ${name}.`);
  }
}

/** A version of the model, or a failure naming it and where the versions are listed. */
async function modelVersion(context: CliContext, name: string, version: string): Promise<ModelVersion> {
  try {
    return await context.client().modelVersions.get(name, version);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new CliFailure(`Registered model "${name}" has no version ${version}. Fix: mlflow-ts models describe ${name} lists its versions.`);
  }
}

/** An alias the model lacks: the error names the model and the alias, and lists the aliases it has. */
function missingAlias(model: RegisteredModel, alias: string): CliFailure {
  const existing = model.aliases.map((entry) => `${entry.alias} (version ${entry.version})`).join(", ");
  const has = existing === "" ? "it has no aliases" : `its aliases: ${existing}`;
  return new CliFailure(
    `Registered model "${model.name}" has no alias "${alias}"; ${has}. Fix: use one of those, or set it with mlflow-ts models alias ${model.name} ${alias} <version>.`,
  );
}

function describeRegisteredModel(model: RegisteredModel, versions: ModelVersion[]): string {
  const aliasesOf = new Map<string, string[]>();
  for (const { alias, version } of model.aliases) aliasesOf.set(version, [...(aliasesOf.get(version) ?? []), alias]);
  const lines = [
    `Registered model "${model.name}"`,
    `  created:      ${formatTime(model.creation_timestamp)}`,
    `  last updated: ${formatTime(model.last_updated_timestamp)}`,
    ...(model.description ? [`  description:  ${model.description}`] : []),
    ...formatPairs(
      "Aliases",
      model.aliases.map((entry) => [entry.alias, `version ${entry.version}`] as const),
    ),
    ...formatPairs(
      "Tags",
      model.tags.map((tag) => [tag.key, tag.value] as const),
    ),
  ];
  if (versions.length === 0) return [...lines, "Versions: none"].join("\n");
  const rows = versions.map((v) => [v.version, v.status ?? "-", (aliasesOf.get(v.version) ?? []).join(",") || "-", v.run_id || "-", v.source ?? "-"]);
  return [...lines, "Versions:", formatTable([["VERSION", "STATUS", "ALIASES", "RUN", "SOURCE"], ...rows])].join("\n");
}

function describeVersion(version: ModelVersion): string {
  return [
    `${version.name} version ${version.version}: ${version.status ?? "READY"}`,
    `  source:   ${version.source ?? "-"}`,
    `  run:      ${version.run_id || "-"}`,
    `  model id: ${version.model_id || "-"}`,
    `  aliases:  ${version.aliases.join(", ") || "-"}`,
    `  created:  ${formatTime(version.creation_timestamp)}`,
    ...(version.description ? [`  description: ${version.description}`] : []),
    ...formatPairs(
      "Tags",
      version.tags.map((tag) => [tag.key, tag.value] as const),
    ),
  ].join("\n");
}
