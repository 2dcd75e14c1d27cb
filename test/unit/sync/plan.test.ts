/**
 * Planning a sync: which target runs are copies of which source runs, and whether each source run
 * is copied, resumed, updated or skipped; which tags a copy gets.
 */
import { describe, expect, it } from "vitest";
import { type Run, runSchema } from "../../../src/protocol/entities/tracking.js";
import { CREATE_REQUEST_ID_TAG } from "../../../src/store/rest/rest-store.js";
import { differences, indexCopies, planRun, SKIP_REASONS, targetTags } from "../../../src/sync/plan.js";
import { isBookkeepingTag, SYNC_ARTIFACTS_DIGEST_TAG, SYNC_SOURCE_RUN_ID_TAG, SYNC_SOURCE_URI_TAG, SYNC_STATE_TAG } from "../../../src/sync/tags.js";

const SOURCE_ID = "a".repeat(32);
const PARENT_SOURCE_ID = "b".repeat(32);
const PARENT_TARGET_ID = "c".repeat(32);
const NO_PARENTS = new Map<string, string>();

interface RunFixture {
  id?: string;
  status?: string;
  endTime?: number;
  name?: string;
  stage?: "active" | "deleted";
  params?: Record<string, string>;
  tags?: Record<string, string>;
  metrics?: { key: string; value: number; timestamp: number; step: number }[];
}

function run(fixture: RunFixture = {}): Run {
  const keyValues = (record: Record<string, string> = {}) => Object.entries(record).map(([key, value]) => ({ key, value }));
  return runSchema.parse({
    info: {
      run_id: fixture.id ?? SOURCE_ID,
      experiment_id: "1",
      run_name: fixture.name ?? "baseline",
      status: fixture.status ?? "FINISHED",
      start_time: 1000,
      end_time: fixture.endTime ?? (fixture.status === "RUNNING" ? undefined : 2000),
      lifecycle_stage: fixture.stage ?? "active",
    },
    data: {
      params: keyValues(fixture.params ?? { lr: "0.1" }),
      tags: keyValues(fixture.tags ?? { "mlflow.user": "ada", "mlflow.runName": "baseline" }),
      // As on the wire: NaN is the string "NaN".
      metrics: (fixture.metrics ?? [{ key: "loss", value: 0.5, timestamp: 1500, step: 3 }]).map((m) => ({
        ...m,
        value: Number.isNaN(m.value) ? "NaN" : m.value,
      })),
    },
  });
}

/** A complete, identical copy of `source` as the target would hold it. */
function copyOf(source: Run, extra: Partial<RunFixture> = {}, state = "complete"): Run {
  const tags = Object.fromEntries(source.data.tags.map((tag) => [tag.key, tag.value]));
  return run({
    id: "d".repeat(32),
    status: source.info.status,
    endTime: source.info.end_time,
    name: source.info.run_name,
    params: Object.fromEntries(source.data.params.map((p) => [p.key, p.value])),
    metrics: source.data.metrics.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step })),
    ...extra,
    tags: { ...tags, [SYNC_SOURCE_RUN_ID_TAG]: source.info.run_id, [SYNC_STATE_TAG]: state, [CREATE_REQUEST_ID_TAG]: "req-1", ...extra.tags },
  });
}

describe("planRun", () => {
  it("copies a run that has no copy yet", () => {
    expect(planRun(run(), undefined, NO_PARENTS)).toMatchObject({ action: "copy", reason: "not copied yet" });
  });

  it("skips a run deleted at the source, whether or not it was copied", () => {
    const deleted = run({ stage: "deleted" });
    expect(planRun(deleted, undefined, NO_PARENTS)).toMatchObject({ action: "skip", reason: SKIP_REASONS.deletedAtSource });
    expect(planRun(deleted, copyOf(run()), NO_PARENTS)).toMatchObject({ action: "skip", reason: SKIP_REASONS.deletedAtSource });
  });

  it("skips a complete, identical copy", () => {
    const source = run();
    expect(planRun(source, copyOf(source), NO_PARENTS)).toMatchObject({ action: "skip", reason: SKIP_REASONS.alreadyCopied });
  });

  it("resumes a copy still marked incomplete, even when it looks identical", () => {
    const source = run();
    expect(planRun(source, copyOf(source, {}, "incomplete"), NO_PARENTS)).toMatchObject({ action: "resume", reason: "the last copy was interrupted" });
  });

  it("treats a copy without a state tag as incomplete", () => {
    const source = run();
    const copy = copyOf(source);
    copy.data.tags = copy.data.tags.filter((tag) => tag.key !== SYNC_STATE_TAG);
    expect(planRun(source, copy, NO_PARENTS).action).toBe("resume");
  });

  it("does not bring back a copy deleted on the target", () => {
    const source = run();
    expect(planRun(source, copyOf(source, { stage: "deleted" }), NO_PARENTS)).toMatchObject({ action: "skip", reason: SKIP_REASONS.copyDeleted });
  });

  it("updates a copy of a run that was RUNNING when copied and has ended since", () => {
    const source = run({ status: "FINISHED", endTime: 9000 });
    const copy = copyOf(run({ status: "RUNNING" }));
    expect(planRun(source, copy, NO_PARENTS)).toMatchObject({ action: "update", reason: "changed since the last copy: status, end time" });
  });
});

describe("differences", () => {
  const source = run({ params: { lr: "0.1", layers: "3" }, tags: { team: "vision", "mlflow.user": "ada" } });

  it("finds nothing between a run and its copy, whatever bookkeeping tags the copy has", () => {
    expect(differences(source, copyOf(source), NO_PARENTS)).toEqual([]);
  });

  it("ignores params and tags the copy has on top of the source's", () => {
    expect(differences(source, copyOf(source, { params: { lr: "0.1", layers: "3", extra: "1" }, tags: { "set.on.server": "x" } }), NO_PARENTS)).toEqual([]);
  });

  it("names each kind of change", () => {
    expect(differences(source, copyOf(source, { name: "other" }), NO_PARENTS)).toEqual(["name"]);
    expect(differences(source, copyOf(source, { params: { lr: "0.1" } }), NO_PARENTS)).toEqual(["params"]);
    expect(differences(source, copyOf(source, { tags: { team: "nlp" } }), NO_PARENTS)).toEqual(["tags"]);
    expect(differences(source, copyOf(source, { metrics: [{ key: "loss", value: 0.5, timestamp: 1500, step: 4 }] }), NO_PARENTS)).toEqual(["metrics"]);
    expect(differences(source, copyOf(source, { metrics: [] }), NO_PARENTS)).toEqual(["metrics"]);
  });

  it("compares NaN latest values as equal", () => {
    const nan = run({ metrics: [{ key: "loss", value: Number.NaN, timestamp: 1, step: 0 }] });
    expect(differences(nan, copyOf(nan), NO_PARENTS)).toEqual([]);
    expect(differences(nan, copyOf(nan, { metrics: [{ key: "loss", value: 0, timestamp: 1, step: 0 }] }), NO_PARENTS)).toEqual(["metrics"]);
  });

  it("compares the parent tag with the parent's copy, not its source id", () => {
    const child = run({ tags: { "mlflow.parentRunId": PARENT_SOURCE_ID } });
    const copy = copyOf(child, { tags: { "mlflow.parentRunId": PARENT_TARGET_ID } });
    expect(differences(child, copy, new Map([[PARENT_SOURCE_ID, PARENT_TARGET_ID]]))).toEqual([]);
    expect(differences(child, copy, NO_PARENTS)).toEqual(["tags"]);
  });
});

describe("differences in artifacts", () => {
  const source = run({});
  const digested = (digest: string) => copyOf(source, { tags: { [SYNC_ARTIFACTS_DIGEST_TAG]: digest } });

  it("names artifacts when the copy's digest differs from the source's", () => {
    expect(differences(source, digested("old"), NO_PARENTS, "new")).toEqual(["artifacts"]);
    expect(planRun(source, digested("old"), NO_PARENTS, "new")).toMatchObject({ action: "update", reason: "changed since the last copy: artifacts" });
  });

  it("finds nothing when the digests are equal", () => {
    expect(planRun(source, digested("same"), NO_PARENTS, "same")).toMatchObject({ action: "skip", reason: "already copied" });
  });

  it("does not compare a copy without a digest (made by an older sync), nor a source whose digest is unknown", () => {
    expect(differences(source, copyOf(source), NO_PARENTS, "new")).toEqual([]);
    expect(differences(source, digested("old"), NO_PARENTS, undefined)).toEqual([]);
  });
});

describe("targetTags", () => {
  it("drops bookkeeping tags of earlier syncs and of the REST store, keeps system tags", () => {
    const source = run({
      tags: {
        "mlflow.user": "ada",
        "mlflow.source.name": "train.ts",
        [SYNC_SOURCE_RUN_ID_TAG]: "x",
        [SYNC_SOURCE_URI_TAG]: "y",
        [SYNC_STATE_TAG]: "complete",
        [CREATE_REQUEST_ID_TAG]: "z",
      },
    });
    expect(targetTags(source, NO_PARENTS)).toEqual([
      { key: "mlflow.user", value: "ada" },
      { key: "mlflow.source.name", value: "train.ts" },
    ]);
  });

  it("translates mlflow.parentRunId to the parent's copy when it has one", () => {
    const child = run({ tags: { "mlflow.parentRunId": PARENT_SOURCE_ID } });
    expect(targetTags(child, new Map([[PARENT_SOURCE_ID, PARENT_TARGET_ID]]))).toEqual([{ key: "mlflow.parentRunId", value: PARENT_TARGET_ID }]);
    expect(targetTags(child, NO_PARENTS)).toEqual([{ key: "mlflow.parentRunId", value: PARENT_SOURCE_ID }]);
  });

  it("recognises bookkeeping keys", () => {
    expect([SYNC_STATE_TAG, SYNC_SOURCE_RUN_ID_TAG, CREATE_REQUEST_ID_TAG, "mlflow.user", "mlflow-ts.other"].map(isBookkeepingTag)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("indexCopies", () => {
  it("maps source run ids to their copies and ignores runs that are not copies", () => {
    const source = run();
    const copy = copyOf(source);
    const unrelated = run({ id: "e".repeat(32) });
    expect(indexCopies([unrelated, copy])).toEqual(new Map([[SOURCE_ID, copy]]));
  });

  it("prefers an active complete copy over a deleted or incomplete one, in any order", () => {
    const source = run();
    const deleted = copyOf(source, { id: "1".repeat(32), stage: "deleted" });
    const incomplete = copyOf(source, { id: "2".repeat(32) }, "incomplete");
    const complete = copyOf(source, { id: "3".repeat(32) });
    expect(indexCopies([deleted, complete, incomplete]).get(SOURCE_ID)).toBe(complete);
    expect(indexCopies([complete, incomplete, deleted]).get(SOURCE_ID)).toBe(complete);
    expect(indexCopies([deleted, incomplete]).get(SOURCE_ID)).toBe(incomplete);
  });
});
