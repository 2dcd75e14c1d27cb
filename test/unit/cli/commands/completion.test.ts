/**
 * `mlflow-ts completion bash|zsh|fish`: the scripts are generated from the program itself (every
 * top-level command and every option is in them), and the shells accept them: `bash -n` always,
 * zsh and fish when they are installed (else the scripts are only generated).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliContext } from "../../../../src/cli/context.js";
import { allNodes, completionTree } from "../../../../src/cli/output/completion-spec.js";
import { createProgram } from "../../../../src/cli/program.js";
import { cliCaptured } from "../../helpers/cli.js";

const program = createProgram(new CliContext({ stdout: { write: () => true }, stderr: { write: () => true }, env: {} }));
const tree = completionTree(program);
const topLevel = tree.subcommands.map((command) => command.name);
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-completion-"));

function installed(shell: string): boolean {
  return spawnSync(shell, ["-c", "exit 0"]).status === 0;
}

async function script(shell: string): Promise<string> {
  const { code, stdout, stderr } = await cliCaptured(["completion", shell]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return stdout;
}

describe("the completion tree", () => {
  it("is read from the commander program: every command, subcommand and option, help and version included", () => {
    expect(topLevel).toEqual(program.commands.map((command) => command.name()));
    expect(topLevel).toEqual(expect.arrayContaining(["doctor", "upload", "download", "experiments", "runs", "sync", "gate", "recover", "completion"]));
    expect(tree.options.flatMap((option) => option.names)).toEqual(["-V", "--version", "-h", "--help"]);
    const runs = tree.subcommands.find((command) => command.name === "runs")!;
    expect(runs.subcommands.map((command) => command.key)).toEqual(
      program.commands.find((c) => c.name() === "runs")!.commands.map((c) => `root/runs/${c.name()}`),
    );
    const view = allNodes(tree)
      .find((node) => node.key === "root/experiments/list")!
      .options.find((option) => option.names.includes("--view"));
    expect(view).toMatchObject({ takesValue: true, choices: ["active", "deleted", "all"] });
    expect(tree.subcommands.find((command) => command.name === "completion")!.argumentChoices).toEqual(["bash", "zsh", "fish"]);
  });
});

describe("mlflow-ts completion bash", () => {
  it("mentions every top-level command and every option of every command", async () => {
    const text = await script("bash");
    for (const name of topLevel) expect(text).toMatch(new RegExp(`subcommands='[^']*\\b${name}\\b`));
    for (const node of allNodes(tree)) {
      expect(text).toContain(`'${node.key}')`);
      for (const option of node.options) for (const name of option.names) expect(text).toContain(name);
    }
  });

  it("is accepted by bash -n", async () => {
    const file = join(scratch, "mlflow-ts.bash");
    writeFileSync(file, await script("bash"));
    expect(spawnSync("bash", ["-n", file], { encoding: "utf8" })).toMatchObject({ status: 0, stderr: "" });
  });

  it("completes commands, subcommands, option choices, and falls back to files for a path", async () => {
    const file = join(scratch, "mlflow-ts.bash");
    writeFileSync(file, await script("bash"));
    const complete = (...words: string[]): string =>
      execFileSync(
        "bash",
        ["-c", `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _mlflow_ts_completion; printf '%s\\n' "\${COMPREPLY[@]}"`, file, ...words],
        { encoding: "utf8" },
      ).trim();
    expect(complete("mlflow-ts", "up")).toBe("upload");
    expect(complete("mlflow-ts", "runs", "").split("\n")).toEqual(expect.arrayContaining(["list", "show"]));
    expect(complete("mlflow-ts", "experiments", "list", "--view", "de")).toBe("deleted");
    expect(complete("mlflow-ts", "completion", "")).toBe("bash\nzsh\nfish");
    expect(complete("mlflow-ts", "upload", "--art")).toBe("--artifact-path");
    expect(complete("mlflow-ts", "upload", "0a1b", "./mod")).toBe("");
  });
});

describe.each(["zsh", "fish"])("mlflow-ts completion %s", (shell) => {
  it("mentions every top-level command and every long option", async () => {
    const text = await script(shell);
    for (const name of topLevel) expect(text).toContain(`${name}`);
    for (const node of allNodes(tree))
      for (const option of node.options)
        for (const name of option.names.filter((n) => n.startsWith("--"))) expect(text).toContain(shell === "fish" ? `-l ${name.slice(2)}` : `'${name}:`);
  });

  it(`is accepted by ${shell} -n when ${shell} is installed (else only generated)`, async () => {
    const file = join(scratch, `mlflow-ts.${shell}`);
    writeFileSync(file, await script(shell));
    if (installed(shell)) expect(spawnSync(shell, ["-n", file], { encoding: "utf8" })).toMatchObject({ status: 0, stderr: "" });
  });
});

describe("mlflow-ts completion with a shell it does not know", () => {
  it("is a usage error (exit 2) naming the choices", async () => {
    const { code, stderr } = await cliCaptured(["completion", "powershell"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Allowed choices are bash, zsh, fish");
  });
});
