/**
 * Which server version first serves each endpoint the SDK calls: the part of the compatibility
 * survey (docs/compatibility.md) that reading the servers' code answers exactly. For every version
 * whose venv is installed (scripts/stack/up <version>, or the default stack's venv) it asks the
 * server's own code for its routes (scripts/stack/routes.py, cached in .test-results/matrix/routes/),
 * then prints, for each entry of the SDK's endpoint table (src/protocol/endpoints.ts) and the few
 * paths called outside it, the first version that serves it and the versions that do not.
 *
 *   npx tsx scripts/stack/routes-survey.ts [--json | --save | --markdown [--write docs/compatibility.md README.md]]
 *
 * `--save` writes the `--json` answer to scripts/stack/routes-survey.json, the committed survey the
 * SDK's feature table (src/protocol/server-features.ts) is checked against by a unit test; it
 * refuses unless every pinned version and the default one were asked (their venvs installed).
 *
 * "First version" is the first *final patch* of a minor release that serves it (the versions the
 * stack pins); an earlier patch of the same minor may serve it too.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ENDPOINTS } from "../../src/protocol/endpoints.js";
// @ts-expect-error: a plain ES module of the scripts, without type declarations
import { writeBetweenMarkers } from "./markers.mjs";

const REPO = resolve(import.meta.dirname, "../..");
const STACK_DIR = process.env.MLFLOW_TS_STACK_DIR ?? join(REPO, ".stack");
const OUT = join(REPO, ".test-results/matrix/routes");
const ROUTES_TIMEOUT_MS = 10 * 60_000;

/** Paths the SDK calls outside the endpoint table (health checks, artifacts, server info). */
const EXTRA: Record<string, { method: string; path: string }> = {
  "server.health": { method: "GET", path: "/health" },
  "server.version": { method: "GET", path: "/version" },
  "server.info": { method: "GET", path: "/api/3.0/mlflow/server-info" },
  "artifacts.proxied.put": { method: "PUT", path: "/api/2.0/mlflow-artifacts/artifacts/{path}" },
  "artifacts.proxied.get": { method: "GET", path: "/api/2.0/mlflow-artifacts/artifacts/{path}" },
  "artifacts.proxied.list": { method: "GET", path: "/api/2.0/mlflow-artifacts/artifacts" },
  "artifacts.proxied.delete": { method: "DELETE", path: "/api/2.0/mlflow-artifacts/artifacts/{path}" },
  "artifacts.proxied.mpuCreate": { method: "POST", path: "/api/2.0/mlflow-artifacts/mpu/create/{path}" },
  "artifacts.proxied.mpuComplete": { method: "POST", path: "/api/2.0/mlflow-artifacts/mpu/complete/{path}" },
  "artifacts.proxied.mpuAbort": { method: "POST", path: "/api/2.0/mlflow-artifacts/mpu/abort/{path}" },
};

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The interpreters to ask: every extra version's venv link, and the default stack's venv. */
function interpreters(): Map<string, string> {
  const found = new Map<string, string>();
  const versionsDir = join(STACK_DIR, "versions");
  if (existsSync(versionsDir)) {
    for (const v of readdirSync(versionsDir)) {
      const py = join(versionsDir, v, "venv/bin/python");
      if (existsSync(py)) found.set(v, py);
    }
  }
  const defaultPy = join(STACK_DIR, "venv/bin/python");
  const defaultVersion = /^mlflow==(\S+)/m.exec(readFileSync(join(REPO, "scripts/stack/requirements-mlflow.txt"), "utf8"))?.[1];
  if (defaultVersion && existsSync(defaultPy)) found.set(defaultVersion, defaultPy);
  return new Map([...found].sort(([a], [b]) => compareVersions(a, b)));
}

function routesOf(version: string, python: string): Set<string> {
  const cache = join(OUT, `${version}.json`);
  if (!existsSync(cache)) {
    const out = execFileSync(python, [join(REPO, "scripts/stack/routes.py")], {
      timeout: ROUTES_TIMEOUT_MS,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    writeFileSync(cache, out);
  }
  const { routes } = JSON.parse(readFileSync(cache, "utf8")) as { routes: string[] };
  // Flask writes <path:name>, FastAPI and the SDK {name}: compare with every parameter as {}
  return new Set(routes.map((r) => r.replace(/<(?:[a-z]+:)?[^>]+>|\{[^}]+\}/g, "{}")));
}

mkdirSync(OUT, { recursive: true });
const servers = [...interpreters()].map(([version, py]) => ({ version, routes: routesOf(version, py) }));
// `auth.*` rows are the basic-auth app's (`--app-name basic-auth`), which routes.py does not load:
// counted here, every version would seem to lack them (docs/auth.md says which versions have which).
const tracked = Object.entries(ENDPOINTS).filter(([name]) => !name.startsWith("auth."));
const wanted = { ...Object.fromEntries(tracked.map(([name, e]) => [name, { method: e.method, path: e.path }])), ...EXTRA };
const rows = Object.entries(wanted).map(([name, { method, path }]) => {
  const key = `${method} ${path.replace(/\{[^}]+\}/g, "{}")}`;
  const serving = servers.filter((s) => s.routes.has(key)).map((s) => s.version);
  const missing = servers.filter((s) => !s.routes.has(key)).map((s) => s.version);
  return { name, method, path, firstVersion: serving[0] ?? null, missingIn: missing };
});
const SAVED = join(REPO, "scripts/stack/routes-survey.json");
if (process.argv.includes("--save")) {
  const pinned = readdirSync(join(REPO, "scripts/stack/versions"));
  const absent = pinned.filter((v) => !servers.some((s) => s.version === v));
  if (absent.length > 0 || servers.length !== pinned.length + 1) {
    console.error(
      `routes-survey: --save needs every pinned version and the default one; missing ${absent.join(", ") || "the default venv"}. Fix: scripts/stack/up <version> for each (or --json to print a partial survey).`,
    );
    process.exit(1);
  }
  writeFileSync(SAVED, `${JSON.stringify({ versions: servers.map((s) => s.version), endpoints: rows }, null, 2)}\n`);
  console.log(`routes-survey: wrote ${SAVED}`);
} else if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ versions: servers.map((s) => s.version), endpoints: rows }, null, 2));
} else if (process.argv.includes("--markdown")) {
  const partial = rows.filter((x) => x.missingIn.length > 0);
  const table = [
    "| SDK endpoint | method and path | first version serving it |",
    "| --- | --- | --- |",
    ...partial.map((r) => `| \`${r.name}\` | \`${r.method} ${r.path}\` | ${r.firstVersion ?? "none"} |`),
    "",
    `Generated by \`npx tsx scripts/stack/routes-survey.ts --markdown\` from the routes of ${servers.map((s) => s.version).join(", ")}. The other ${rows.length - partial.length} of the ${rows.length} endpoints the SDK calls are served by every one of them.`,
  ].join("\n");
  const write = process.argv.indexOf("--write");
  if (write < 0) console.log(table);
  for (const file of write < 0 ? [] : process.argv.slice(write + 1)) {
    (writeBetweenMarkers as (path: string, name: string, text: string) => void)(join(REPO, file), "routes", table);
    console.log(`routes-survey: wrote the endpoint table into ${file}`);
  }
} else {
  console.log(`versions asked: ${servers.map((s) => s.version).join(", ")}`);
  for (const r of rows.filter((x) => x.missingIn.length > 0)) {
    console.log(`${r.name.padEnd(34)} ${`${r.method} ${r.path}`.padEnd(64)} first: ${r.firstVersion ?? "none"}; missing in ${r.missingIn.join(", ")}`);
  }
  console.log(`${rows.filter((x) => x.missingIn.length === 0).length} of ${rows.length} endpoints are served by every version asked.`);
}
