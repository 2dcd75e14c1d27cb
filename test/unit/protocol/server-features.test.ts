/**
 * The feature table is the routes survey's answer, endpoint by endpoint: every endpoint the survey
 * found missing on some surveyed release is gated by exactly one feature whose first version is the
 * survey's, and no endpoint every release serves is gated.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENDPOINTS, type EndpointName } from "../../../src/protocol/endpoints.js";
import { featureOfEndpoint, featuresMissingIn, SERVER_FEATURES, serverLacks } from "../../../src/protocol/server-features.js";

interface SurveyRow {
  name: string;
  path: string;
  firstVersion: string | null;
  missingIn: string[];
}
const survey = JSON.parse(readFileSync(new URL("../../../scripts/stack/routes-survey.json", import.meta.url), "utf8")) as {
  versions: string[];
  endpoints: SurveyRow[];
};

describe("the feature table against the committed routes survey", () => {
  it("surveys every endpoint of the endpoint table but the basic-auth app's", () => {
    // routes-survey.ts leaves `auth.*` out: routes.py loads only the tracking app (docs/auth.md dates them).
    const tracked = Object.keys(ENDPOINTS).filter((name) => !name.startsWith("auth."));
    expect(survey.endpoints.map((row) => row.name)).toEqual(expect.arrayContaining(tracked));
  });

  it.each(survey.endpoints.filter((row) => row.name in ENDPOINTS))("gates $name as the survey dates it", (row) => {
    const feature = featureOfEndpoint(row.name as EndpointName);
    if (row.missingIn.length === 0) {
      expect(feature).toBeUndefined();
      return;
    }
    expect(feature).toBeDefined();
    expect(SERVER_FEATURES[feature!].firstVersion).toBe(row.firstVersion);
    for (const version of row.missingIn) expect(serverLacks(version, feature!)).toBe(true);
    for (const version of survey.versions.filter((v) => !row.missingIn.includes(v))) expect(serverLacks(version, feature!)).toBe(false);
  });

  it("dates the paths outside the table (server-info) as the survey does", () => {
    for (const [name, spec] of Object.entries(SERVER_FEATURES)) {
      for (const path of spec.paths) {
        const row = survey.endpoints.find((r) => r.path === path);
        expect(row, `${name}: ${path} is in the survey`).toBeDefined();
        expect(spec.firstVersion).toBe(row!.firstVersion);
      }
    }
  });
});

describe("serverLacks", () => {
  it("compares by major.minor, the release the survey dates", () => {
    expect(serverLacks("3.3.0", "webhooks")).toBe(false);
    expect(serverLacks("3.2.9", "webhooks")).toBe(true);
    expect(serverLacks("10.0.0", "webhooks")).toBe(false);
    expect(serverLacks("3.10.0rc0", "server-info")).toBe(false);
    expect(serverLacks("2.22.5", "logged-models")).toBe(true);
  });

  it("does not guess for a version that does not parse", () => {
    expect(serverLacks("dev", "webhooks")).toBeUndefined();
    expect(featuresMissingIn("dev")).toEqual([]);
  });
});
