/**
 * The order in which vitest starts test files: its own (by group, by project, then slowest or
 * largest first from its cache), except that the integration files known to be longest
 * ({@link LONG_FILES} in suites.ts) start first in their project. When integration files run side
 * by side, a long file that starts last runs alone at the end while the other workers idle; in CI
 * (a fresh clone, no timings cached) vitest only knows file sizes, which put the 1,000,000-point
 * logger test near the end.
 *
 * @example
 * // vitest.config.ts
 * test: { sequence: { sequencer: LongFirstSequencer } }
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { LONG_FILES } from "./suites.js";

/** vitest's sequencer with {@link LONG_FILES} moved to the front of their project, in that order. */
export class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const position = new Map(sorted.map((spec, index) => [spec, index]));
    const projectStart = new Map<string, number>();
    sorted.forEach((spec, index) => {
      if (!projectStart.has(spec.project.name)) projectStart.set(spec.project.name, index);
    });
    const rank = (spec: TestSpecification): number => {
      const index = LONG_FILES.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return index === -1 ? LONG_FILES.length : index;
    };
    // Projects (and groups) keep vitest's order; within one, the listed files first, the rest in vitest's order.
    return [...sorted].sort(
      (a, b) => projectStart.get(a.project.name)! - projectStart.get(b.project.name)! || rank(a) - rank(b) || position.get(a)! - position.get(b)!,
    );
  }
}
