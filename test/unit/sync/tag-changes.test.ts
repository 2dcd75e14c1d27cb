/** tagChanges: which tags a copy must get, and lose, to follow its source. */
import { describe, expect, it } from "vitest";
import { hasTagChanges, tagChanges } from "../../../src/sync/tag-changes.js";

const copied = (key: string) => !key.startsWith("mlflow-ts.sync.");

describe("tagChanges", () => {
  it("sets new and changed tags and deletes those gone at the source", () => {
    const source = [
      { key: "a", value: "2" },
      { key: "c", value: "new" },
      { key: "same", value: "x" },
    ];
    const copy = [
      { key: "a", value: "1" },
      { key: "b", value: "gone" },
      { key: "same", value: "x" },
    ];
    expect(tagChanges(source, copy, copied)).toEqual({
      set: [
        { key: "a", value: "2" },
        { key: "c", value: "new" },
      ],
      remove: ["b"],
    });
  });

  it("never sets nor deletes tags the filter refuses", () => {
    const changes = tagChanges([{ key: "mlflow-ts.sync.state", value: "x" }], [{ key: "mlflow-ts.sync.sourceVersion", value: "1" }], copied);
    expect(changes).toEqual({ set: [], remove: [] });
    expect(hasTagChanges(changes)).toBe(false);
  });

  it("keeps the copy's own tags when asked not to delete", () => {
    expect(tagChanges([{ key: "a", value: "1" }], [{ key: "owner", value: "platform" }], copied, false)).toEqual({
      set: [{ key: "a", value: "1" }],
      remove: [],
    });
  });
});
