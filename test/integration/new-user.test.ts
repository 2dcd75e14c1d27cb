/**
 * The first hour of a new user, end to end: the package as npm would publish it (`npm pack`),
 * installed into a fresh project with TypeScript 6, `strict`, `exactOptionalPropertyTypes`,
 * `skipLibCheck: false` and no optional dependency (so no better-sqlite3 types), the README's
 * TypeScript examples compiled and run against the real stack, and the first mistakes a user makes
 * or meets: a history longer than a page, a crash inside a run (withRun, and `await using` with the
 * README's catch), a server that is not there, a CI job without a tracking URI, `--help | head`, a
 * README link, a stack trace.
 *
 * The project lives in a temporary folder; npm installs from its cache (or the registry). The
 * scripts in test/new-user/ are the user's own code (one of them imports a subpath, mlflow-ts/doctor, at
 * run time); test/types/consumer.ts, which imports every subpath, is compiled with them.
 */
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv } from "./support/stack.js";

const exec = promisify(execFile);
const REPO = resolve(".");
/** Longest `npm pack` (a clean build) or `npm install` may take. */
const NPM_TIMEOUT_MS = 8 * 60_000;
/** Longest one of the user's scripts may run against the stack. */
const SCRIPT_TIMEOUT_MS = 120_000;
/** A run against an address where nothing listens must have failed on its own by then. */
const REFUSED_BOUND_MS = 30_000;

let project: string;
let pkg: string;
let compile: { code: number; output: string };
const client = stackClient("direct");

/** The environment of a user's process: the stack's direct server and bucket, nothing of this machine. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: project, ...stackClientEnv(serverUri("direct")), ...extra };
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the bound ran out and the process was killed. */
  killed: boolean;
}

/** Runs `node <file>` in the project, killed after `boundMs`. */
function runNode(file: string, env: Record<string, string>, boundMs = SCRIPT_TIMEOUT_MS): Promise<Outcome> {
  return runProcess(process.execPath, [file], env, boundMs);
}

function runProcess(command: string, args: string[], env: Record<string, string>, boundMs: number, closeStdout = false): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let killed = false;
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, boundMs);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, killed });
    });
  });
}

/** The JSON object a script printed on its first stdout line. */
function firstJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n")[0] ?? "null") as T;
}

/**
 * The TypeScript blocks of a Markdown file, in order: the ```ts blocks, each a complete program the
 * user can paste. A ```typescript block is a fragment of an example that needs what this project does
 * not install (TF.js, an optional peer dependency): the README names the example, and
 * test/integration/examples.test.ts runs that example whole.
 */
function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "mlflow-ts-new-user-"));
  const packed = await exec("npm", ["pack", "--pack-destination", project, "--silent"], { cwd: REPO, timeout: NPM_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  const tarball = join(project, packed.stdout.trim().split("\n").pop()!);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "new-user", private: true, type: "module" }, null, 2));
  await exec("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--omit=optional", tarball, "typescript@~6.0", "@types/node@20"], {
    cwd: project,
    timeout: NPM_TIMEOUT_MS,
    env: { ...process.env, npm_config_update_notifier: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  pkg = join(project, "node_modules", "mlflow-ts");

  // The user's project: the README's examples as shipped, their own scripts, the type checks.
  mkdirSync(join(project, "src"));
  typescriptBlocks(readFileSync(join(pkg, "README.md"), "utf8")).forEach((code, i) => {
    writeFileSync(join(project, "src", `readme-${i + 1}.ts`), code);
  });
  for (const file of readdirSync(resolve("test/new-user"))) copyFileSync(resolve("test/new-user", file), join(project, "src", file));
  copyFileSync(resolve("test/types/consumer.ts"), join(project, "src", "consumer.ts"));
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023", "ESNext.Disposable"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          rootDir: "src",
          outDir: "out",
        },
        include: ["src"],
      },
      null,
      2,
    ),
  );
  // The files the README's examples name: the user's model and checkpoints.
  // model.onnx opens as an ONNX ModelProto does (field 1, ir_version 9); the examples never run it.
  writeFileSync(join(project, "model.onnx"), Buffer.concat([Buffer.from([0x08, 0x09]), Buffer.alloc(4094, 7)]));
  mkdirSync(join(project, "checkpoints"));
  writeFileSync(join(project, "checkpoints", "epoch-1.bin"), Buffer.alloc(1024, 1));
  writeFileSync(join(project, "checkpoints", "epoch-2.bin"), Buffer.alloc(1024, 2));

  try {
    const tsc = await exec(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", "."], { cwd: project, timeout: NPM_TIMEOUT_MS });
    compile = { code: 0, output: tsc.stdout + tsc.stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    compile = { code: failed.code ?? 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}, 3 * NPM_TIMEOUT_MS);

afterAll(async () => {
  await client.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("a new user's project", () => {
  it("installs the packed package without its optional dependency and compiles strictly, with skipLibCheck false", () => {
    expect(existsSync(join(project, "node_modules", "better-sqlite3"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "@types", "better-sqlite3"))).toBe(false);
    expect(compile.output).toBe("");
    expect(compile.code).toBe(0);
  });

  it("runs every TypeScript example of the README against the real stack, with nothing on stderr", async () => {
    expect(compile.code).toBe(0);
    const examples = readdirSync(join(project, "out")).filter((file) => file.startsWith("readme-"));
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const example of examples.sort()) {
      const outcome = await runNode(join("out", example), userEnv());
      expect({ example, code: outcome.code, stderr: outcome.stderr }).toEqual({ example, code: 0, stderr: "" });
    }
  }, 600_000);

  it("reads a 2,000-point history back whole with `await` and pages of 500; the Python client agrees", async () => {
    const outcome = await runNode("out/history.js", userEnv({ EXPERIMENT_NAME: `new-user-${randomUUID()}` }));
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    const result = firstJson<{ runId: string; points: number; lastStep: number; lr: string; status: string }>(outcome.stdout);
    expect(result).toMatchObject({ points: 2000, lastStep: 1999, lr: "0.01", status: "FINISHED" });
    const { runs } = await runPython<{ runs: { histories: Record<string, unknown[]> }[] }>("test/conformance/python/read_run.py", {
      run_ids: [result.runId],
      history_keys: ["loss"],
    });
    expect(runs[0]!.histories.loss).toHaveLength(2000);
  }, 300_000);

  it("imports the mlflow-ts/doctor subpath at run time and prints the setup check of the stack, every check known", async () => {
    const outcome = await runNode("out/setup-check.js", userEnv());
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    const result = firstJson<{ ok: boolean; ids: string[]; known: string[]; summary: string; text: string }>(outcome.stdout);
    expect(result.ok).toBe(true);
    expect(result.ids[0]).toBe("config");
    expect(result.ids.filter((id) => !result.known.includes(id))).toEqual([]);
    expect(result.text).toContain("PASS");
    expect(result.text.endsWith(result.summary)).toBe(true);
  }, 300_000);

  it("ends the run FAILED when the body of withRun crashes", async () => {
    expect(await statusAfterCrash("out/crash-with-run.js")).toBe("FAILED");
  }, 300_000);

  // Issue #12.1: the README documents `await using` with a catch that ends the run FAILED.
  it("ends the run FAILED when a step crashes inside the README's `await using` pattern", async () => {
    expect(await statusAfterCrash("out/crash-await-using.js")).toBe("FAILED");
  }, 300_000);

  // Issue #12.2 (h-transport): startRun against a closed port retried silently for four minutes.
  it("fails on its own within 30 s when nothing listens at the tracking URI, naming the address", async () => {
    const port = await closedPort();
    const outcome = await runNode("out/refused.js", userEnv({ MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` }), REFUSED_BOUND_MS);
    expect(outcome.killed).toBe(false);
    expect(outcome.code).toBe(1);
    const error = firstJson<{ name: string; message: string }>(outcome.stdout);
    expect(error.name).toBe("ConnectionError");
    expect(error.message).toContain(`127.0.0.1:${port}`);
  }, 120_000);
});

describe("the installed mlflow-ts command", () => {
  const bin = () => join(project, "node_modules", ".bin", "mlflow-ts");

  it("doctor fails a CI job whose MLFLOW_TRACKING_URI is empty, and passes it against the stack", async () => {
    const empty = await runProcess(bin(), ["doctor", "--json"], userEnv({ CI: "true", MLFLOW_TRACKING_URI: "" }), SCRIPT_TIMEOUT_MS);
    expect(empty.code).toBe(1);
    expect(JSON.parse(empty.stdout).checks[0]).toMatchObject({ id: "config", status: "fail" });
    const server = await runProcess(bin(), ["doctor", "--json", "--no-write"], userEnv({ CI: "true" }), SCRIPT_TIMEOUT_MS);
    expect(JSON.parse(server.stdout).checks[0]).toMatchObject({ id: "config", status: "pass" });
    expect(server.code).toBe(0);
  }, 300_000);

  it("--help into a reader that closes the pipe ends quietly with exit code 0", async () => {
    const closed = await runProcess(bin(), ["--help"], userEnv(), SCRIPT_TIMEOUT_MS, true);
    expect({ code: closed.code, stderr: closed.stderr }).toEqual({ code: 0, stderr: "" });
    const piped = await runProcess("bash", ["-o", "pipefail", "-c", `"${bin()}" --help | head -1`], userEnv(), SCRIPT_TIMEOUT_MS);
    expect({ code: piped.code, stdout: piped.stdout, stderr: piped.stderr }).toEqual({ code: 0, stdout: "Usage: mlflow-ts [options] [command]\n", stderr: "" });
  }, 300_000);
});

describe("what the package ships", () => {
  it("resolves every link of the README and docs inside the package, or links absolutely", () => {
    const pages = [
      "README.md",
      ...readdirSync(join(pkg, "docs"))
        .filter((file) => file.endsWith(".md"))
        .map((file) => `docs/${file}`),
    ];
    const broken: string[] = [];
    for (const page of pages) {
      for (const target of markdownLinks(readFileSync(join(pkg, page), "utf8"))) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [path, anchor] = target.split("#") as [string, string | undefined];
        const file = path === "" ? join(pkg, page) : resolve(dirname(join(pkg, page)), decodeURIComponent(path));
        if (!file.startsWith(`${pkg}/`) || !existsSync(file)) broken.push(`${page}: ${target} (no such file in the package)`);
        else if (anchor && file.endsWith(".md") && !headingSlugs(readFileSync(file, "utf8")).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as {
      repository?: { url?: string };
      homepage?: string;
      bugs?: { url?: string };
    };
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\//);
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs?.url).toMatch(/^https:\/\//);
  });

  it("points every source map and declaration map at a file the package ships", () => {
    const missing: string[] = [];
    let maps = 0;
    for (const map of filesUnder(join(pkg, "dist")).filter((file) => file.endsWith(".map"))) {
      maps++;
      const { sources, sourceRoot = "" } = JSON.parse(readFileSync(map, "utf8")) as { sources: string[]; sourceRoot?: string };
      for (const source of sources) {
        const file = resolve(dirname(map), sourceRoot, source);
        if (!file.startsWith(`${pkg}/`) || !existsSync(file)) missing.push(`${relative(pkg, map)} -> ${source}`);
      }
    }
    expect(maps).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });
});

/** Runs a script that prints its run id and then crashes; the status the server holds for that run. */
async function statusAfterCrash(script: string): Promise<string> {
  const outcome = await runNode(script, userEnv({ EXPERIMENT_NAME: `new-user-${randomUUID()}` }));
  expect(outcome.code).not.toBe(0);
  expect(outcome.stderr).toContain("the training step crashed");
  const { runId } = firstJson<{ runId: string }>(outcome.stdout);
  return (await client.runs.get(runId)).info.status;
}

/** A port on 127.0.0.1 where nothing listens (taken from the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

/** Link targets of a Markdown page, outside code blocks and inline code. */
function markdownLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

/** The anchors GitHub gives a page's headings (lower case, punctuation dropped, spaces as dashes, repeats numbered). */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, "");
  for (const match of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    let slug = base;
    for (let n = 1; slugs.has(slug); n++) slug = `${base}-${n}`;
    slugs.add(slug);
  }
  return slugs;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}
