/**
 * Generated run names, as MLflow generates them.
 */
import { describe, expect, it } from "vitest";
import { generateRunName } from "../../../../../src/store/sqlite/tracking/run-name.js";

describe("run names", () => {
  it("follow MLflow's <adjective>-<noun>-<0..1000> pattern within 20 characters", () => {
    for (let i = 0; i < 200; i++) expect(generateRunName()).toMatch(/^[a-z]+-[a-z]+-(\d|[1-9]\d{1,2}|1000)$/);
    expect(generateRunName(() => 0)).toBe("abundant-ant-0");
    expect(generateRunName(() => 0.999999).length).toBeLessThanOrEqual(20);
  });
});
