/**
 * `mlflow-ts workspaces list|create|describe|update|delete`: the workspaces of an MLflow 3.10+
 * server started with `--enable-workspaces`, each subcommand a line or two over `client.workspaces`.
 * Which workspace the other commands work in is `MLFLOW_WORKSPACE`.
 */
import { Command, Option } from "commander";
import type { Workspace, WorkspaceDeletionMode } from "../../protocol/entities/workspace.js";
import type { CliContext } from "../context.js";
import { formatPairs } from "../output/pairs.js";
import { formatTable } from "../output/table.js";

const DELETION_MODES: readonly WorkspaceDeletionMode[] = ["RESTRICT", "CASCADE", "SET_DEFAULT"];

/**
 * The `workspaces` command and its subcommands.
 * @internal
 */
export function workspacesCommand(context: CliContext): Command {
  const list = new Command("list")
    .description("list the server's workspaces: name, description, artifact root")
    .option("--json", "print the workspaces as a JSON array")
    .action(async (options: { json?: boolean }) => {
      const workspaces = await context.client().workspaces.list();
      if (options.json) return context.print(JSON.stringify(workspaces, null, 2));
      if (workspaces.length === 0) return context.print("No workspaces.");
      const rows = workspaces.map((ws) => [ws.name, ws.description ?? "", ws.default_artifact_root ?? ""]);
      context.print(formatTable([["NAME", "DESCRIPTION", "ARTIFACT ROOT"], ...rows]));
    });
  const create = new Command("create")
    .description("create a workspace")
    .argument("<name>", "2-63 lowercase letters, digits and inner hyphens, e.g. team-a")
    .option("--description <text>", "what the workspace is for")
    .option("--artifact-root <uri>", "where its experiments keep artifacts, e.g. s3://bucket/team-a (default: the server's)")
    .option("--json", "print the workspace as JSON")
    .action(async (name: string, options: { description?: string; artifactRoot?: string; json?: boolean }) => {
      const ws = await context.client().workspaces.create({ name, description: options.description, default_artifact_root: options.artifactRoot });
      print(context, ws, options.json, `Created workspace ${ws.name}.`);
    });
  const describe = new Command("describe")
    .description("show one workspace")
    .argument("<name>", "the workspace's name")
    .option("--json", "print the workspace as JSON")
    .action(async (name: string, options: { json?: boolean }) => {
      const ws = await context.client().workspaces.get(name);
      print(context, ws, options.json);
    });
  const update = new Command("update")
    .description("change a workspace's description or artifact root")
    .argument("<name>", "the workspace's name")
    .option("--description <text>", "the new description")
    .option("--artifact-root <uri>", 'the new artifact root ("" clears it: the server\'s applies)')
    .option("--json", "print the workspace as JSON")
    .action(async (name: string, options: { description?: string; artifactRoot?: string; json?: boolean }) => {
      const ws = await context.client().workspaces.update(name, { description: options.description, default_artifact_root: options.artifactRoot });
      print(context, ws, options.json, `Updated workspace ${ws.name}.`);
    });
  const remove = new Command("delete")
    .description("delete a workspace")
    .argument("<name>", "the workspace's name")
    .addOption(
      new Option("--mode <mode>", "RESTRICT refuses while it holds experiments or models; CASCADE deletes them; SET_DEFAULT moves them to default")
        .choices(DELETION_MODES)
        .default("RESTRICT"),
    )
    .action(async (name: string, options: { mode: WorkspaceDeletionMode }) => {
      await context.client().workspaces.delete(name, { mode: options.mode });
      context.print(`Deleted workspace ${name}.`);
    });
  return new Command("workspaces")
    .description("the server's workspaces (MLflow 3.10+ with --enable-workspaces); MLFLOW_WORKSPACE picks the one other commands use")
    .addCommand(list)
    .addCommand(create)
    .addCommand(describe)
    .addCommand(update)
    .addCommand(remove);
}

function print(context: CliContext, ws: Workspace, json: boolean | undefined, headline?: string): void {
  if (json) {
    context.print(JSON.stringify(ws, null, 2));
    return;
  }
  const pairs = formatPairs(`Workspace ${ws.name}`, [
    ["artifact root", ws.default_artifact_root || "(the server's)"],
    ["description", ws.description ?? ""],
  ]).join("\n");
  context.print(headline === undefined ? pairs : `${headline}\n${pairs}`);
}
