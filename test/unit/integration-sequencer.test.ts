/**
 * The order in which integration files start (test/integration/sequencer.ts): the longest known
 * files first within their project, everything else in vitest's own order, groups untouched.
 */

import { describe, expect, it } from "vitest";
import type { TestSpecification } from "vitest/node";
import { LongFirstSequencer } from "../integration/sequencer.js";
import { LONG_FILES } from "../integration/suites.js";

const ROOT = "/repo";

/** A file of a project as the sequencer sees it; `size` is what vitest orders uncached files by. */
function spec(project: string, groupOrder: number, file: string): TestSpecification {
  return { moduleId: `${ROOT}/${file}`, project: { name: project, config: { sequence: { groupOrder }, isolate: true } } } as unknown as TestSpecification;
}

/** A sequencer with no cached timings (a fresh clone, as in CI): vitest falls back to file sizes. */
function freshSequencer(sizes: Record<string, number>): LongFirstSequencer {
  const ctx = {
    config: { root: ROOT },
    cache: { getFileTestResults: () => undefined, getFileStats: (key: string) => ({ size: sizes[key.slice(key.indexOf(":") + 1)] ?? 0 }) },
  };
  return new LongFirstSequencer(ctx as never);
}

describe("LongFirstSequencer", () => {
  it("starts the longest known files first in their project, in the listed order, the others by vitest's order (larger first)", async () => {
    const [longest, second] = LONG_FILES as [string, string];
    const files = [
      spec("integration", 0, "test/integration/small.test.ts"),
      spec("integration", 0, second),
      spec("integration", 0, "test/integration/big.test.ts"),
      spec("integration", 0, longest),
    ];
    const sizes = { "test/integration/small.test.ts": 10, [second]: 20, "test/integration/big.test.ts": 1000, [longest]: 5 };
    const sorted = await freshSequencer(sizes).sort(files);
    expect(sorted.map((s) => s.moduleId.slice(ROOT.length + 1))).toEqual([longest, second, "test/integration/big.test.ts", "test/integration/small.test.ts"]);
  });

  it("never moves a file ahead of an earlier group: the exclusive files still run after the shared ones", async () => {
    const files = [
      spec("integration-exclusive", 1, "test/integration/logger-outage.test.ts"),
      spec("integration", 0, "test/integration/small.test.ts"),
      spec("integration", 0, LONG_FILES[0]!),
    ];
    const sorted = await freshSequencer({}).sort(files);
    expect(sorted.map((s) => `${s.project.name}:${s.moduleId.slice(ROOT.length + 1)}`)).toEqual([
      `integration:${LONG_FILES[0]}`,
      "integration:test/integration/small.test.ts",
      "integration-exclusive:test/integration/logger-outage.test.ts",
    ]);
  });
});
