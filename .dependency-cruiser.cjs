// The layer rule of src/ (issue #13; the picture is docs/architecture.md): a folder imports its own files
// and the folders of lower layers only; entry points (files directly in src/) are imported by nothing in
// src/; no cycles; each third-party dependency stays behind the one folder that owns it. Checked in
// npm test (`npm run layers`); any violation fails.
/** @type {string[][]} The layers, lowest first; folders in one entry share a layer. */
const LAYERS = [
  ["core"],
  ["config"],
  ["protocol"],
  ["artifacts", "journal"],
  ["store"],
  ["resources"],
  // Logged models are a feature over the resources only (models/context.ts), so `client.models` sits above it.
  ["models"],
  ["client"],
  ["tables", "images", "logging", "integrations"],
  ["doctor", "sync"],
  ["cli"],
];
/** The folders of every layer above layer i. */
const above = (i) => LAYERS.slice(i + 1).flat();
/** A path pattern matching any of the folders. */
const folders = (names) => `^src/(${names.join("|")})/`;
const ENTRY_POINT = "^src/[^/]+\\.ts$";
/** A module in a folder of src/ that no layer lists: the layer rules would not see it. */
const UNLISTED_FOLDER = `^src/(?!(?:${LAYERS.flat().join("|")})/)[^/]+/`;

const layerRules = LAYERS.flatMap((layer, i) =>
  (i === LAYERS.length - 1 ? [] : layer).map((folder) => ({
    name: `layer-${folder}`,
    severity: "error",
    comment:
      `src/${folder}/ (layer ${i + 1}) may not import a higher layer (${above(i).join(", ")}). ` +
      "Fix: move what both need down to a lower layer, or have the higher layer pass it in.",
    from: { path: `^src/${folder}/` },
    to: { path: folders(above(i)) },
  })),
);

/** Within a layer folders do not import each other, except these (plan section 1.1). */
const SAME_LAYER_ALLOWED = { logging: ["tables", "images"], integrations: ["logging", "tables", "images"] };
const sameLayerRules = LAYERS.flatMap((layer) =>
  layer.flatMap((folder) => {
    const forbidden = layer.filter((other) => other !== folder && !(SAME_LAYER_ALLOWED[folder] ?? []).includes(other));
    if (forbidden.length === 0) return [];
    return [
      {
        name: `same-layer-${folder}`,
        severity: "error",
        comment:
          `src/${folder}/ may not import ${forbidden.map((other) => `src/${other}/`).join(", ")} (same layer). ` +
          "Fix: move what both need down to a lower layer.",
        from: { path: `^src/${folder}/` },
        to: { path: folders(forbidden) },
      },
    ];
  }),
);

module.exports = {
  forbidden: [
    ...layerRules,
    ...sameLayerRules,
    {
      name: "folder-in-a-layer",
      severity: "error",
      comment: "Every folder of src/ belongs to a layer, or no layer rule checks it. Fix: add the folder to its layer in LAYERS (.dependency-cruiser.cjs) and to the README's Layout section.",
      from: { path: UNLISTED_FOLDER },
      to: {},
    },
    {
      name: "folder-in-a-layer-imported",
      severity: "error",
      comment: "Every folder of src/ belongs to a layer, or no layer rule checks it. Fix: add the folder to its layer in LAYERS (.dependency-cruiser.cjs) and to the README's Layout section.",
      from: {},
      to: { path: UNLISTED_FOLDER },
    },
    { name: "no-circular", severity: "error", comment: "An import cycle (type-only imports count). Fix: move the shared type or value into a file both import.", from: { path: "^src/" }, to: { circular: true } },
    {
      name: "entries-not-imported",
      severity: "error",
      comment: "Files directly in src/ are entry points: nothing in src/ imports them. Fix: import the module the entry re-exports.",
      from: { path: "^src/.+/" },
      to: { path: ENTRY_POINT },
    },
    {
      name: "env-only-in-config",
      severity: "error",
      comment: "src/config/env.ts is the one reader of the environment. Fix: read the value from the resolved configuration.",
      from: { pathNot: "^src/config/" },
      to: { path: "^src/config/env\\.ts$" },
    },
    {
      name: "internals-only-for-features",
      severity: "error",
      comment: "client/internals.ts is for the client and the features over it. Fix: take what you need as a parameter.",
      from: { path: "^src/", pathNot: "^src/(client|logging|tables|integrations|doctor|sync|cli)/" },
      to: { path: "^src/client/internals\\.ts$" },
    },
    {
      name: "axios-only-in-http",
      severity: "error",
      comment: "axios only in src/core/http/ and the doctor's HTTP probe. Fix: go through the HTTP transport.",
      from: { path: "^src/", pathNot: "^src/(core/http/|doctor/http-probe\\.ts$)" },
      to: { path: "node_modules/axios/" },
    },
    {
      name: "aws-sdk-only-in-s3",
      severity: "error",
      comment: "@aws-sdk/* only in src/artifacts/s3/, artifacts/artifact-stores.ts and src/doctor/. Fix: go through the artifact stores.",
      from: { path: "^src/", pathNot: "^src/(artifacts/s3/|artifacts/artifact-stores\\.ts$|doctor/)" },
      to: { path: "node_modules/@aws-sdk/" },
    },
    {
      name: "sqlite-driver-only-in-engine",
      severity: "error",
      comment: "better-sqlite3 only in src/store/sqlite/engine/. Fix: use the engine's Database type and statements.",
      from: { path: "^src/", pathNot: "^src/store/sqlite/engine/" },
      to: { path: "node_modules/better-sqlite3/" },
    },
    {
      name: "sqlite-driver-loaded-once",
      severity: "error",
      comment: "better-sqlite3 is optional: only src/store/sqlite/engine/database.ts loads it. Fix: import its types only (import type).",
      from: { path: "^src/", pathNot: "^src/store/sqlite/engine/database\\.ts$" },
      to: { path: "node_modules/better-sqlite3/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "cli-deps-only-in-cli",
      severity: "error",
      comment: "commander and cli-progress only in src/cli/. Fix: return data and let the command print it.",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "node_modules/(commander|cli-progress)/" },
    },
    {
      name: "p-queue-where-needed",
      severity: "error",
      comment: "p-queue only in the logger's batcher, artifacts/parallel.ts and src/sync/. Fix: run the work through artifacts/parallel.ts.",
      from: { path: "^src/", pathNot: "^src/(logging/batcher/|artifacts/parallel\\.ts$|sync/)" },
      to: { path: "node_modules/p-queue/" },
    },
    {
      name: "no-dev-deps-in-src",
      severity: "error",
      comment: "src/ imports no devDependency at run time. Fix: make it a dependency, or import its types only.",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.build.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "default"] },
  },
};
