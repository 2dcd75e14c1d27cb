/**
 * The exit codes docs/cli.md documents, each asserted on one representative case: the table in
 * the docs and the codes the command uses (EXIT) are the same set, and each code is what a case
 * of its row returns.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../../src/cli/context.js";
import { cliCaptured } from "../helpers/cli.js";

const DOCS = readFileSync(join(import.meta.dirname, "../../../docs/cli.md"), "utf8");

/** The codes of the "Exit codes" table of docs/cli.md. */
function documentedCodes(): number[] {
  const section = DOCS.slice(DOCS.indexOf("## Exit codes"), DOCS.indexOf("\n## ", DOCS.indexOf("## Exit codes") + 1));
  return [...section.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
}

describe("exit codes", () => {
  it("docs/cli.md documents exactly the codes the command uses", () => {
    expect(documentedCodes()).toEqual(Object.values(EXIT).sort());
  });

  it("0: the command succeeded (completion bash)", async () => {
    expect((await cliCaptured(["completion", "bash"])).code).toBe(EXIT.ok);
  });

  it("1: something failed (an upload of a path that does not exist)", async () => {
    const { code, stderr } = await cliCaptured(["upload", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", join(import.meta.dirname, "no-such-file")]);
    expect(code).toBe(EXIT.failure);
    expect(stderr).toContain("does not exist");
  });

  it("2: the command line was wrong (an unknown command)", async () => {
    const { code, stderr } = await cliCaptured(["frobnicate"]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });
});
