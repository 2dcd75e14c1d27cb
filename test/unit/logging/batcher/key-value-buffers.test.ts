/**
 * The param and tag buffers as sources of the packer: FIFO params, coalescing tags, locked tag keys
 * skipped until their request settles, and the sequence numbers `flush()` waits on.
 */
import { describe, expect, it } from "vitest";
import { ParamBuffer, TagBuffer } from "../../../../src/logging/batcher/key-value-buffers.js";
import type { MetricInput } from "../../../../src/protocol/endpoints.js";
import { keyValueBytes, packBatch } from "../../../../src/protocol/log-batch.js";

const noMetrics = { take: (): MetricInput[] => [] };

describe("ParamBuffer", () => {
  it("gives params in logging order, with their size and sequence number, and counts what was taken", () => {
    const params = new ParamBuffer();
    params.push("lr", "0.1");
    params.push("layers", "3");
    expect(params.nextBytes()).toBe(keyValueBytes({ key: "lr", value: "0.1" }));
    expect(params.take()).toMatchObject({ key: "lr", seq: 0 });
    expect([params.pushed, params.taken, params.size]).toEqual([2, 1, 1]);
    expect(params.drain().map((p) => p.key)).toEqual(["layers"]);
    expect([params.taken, params.size, params.nextBytes()]).toEqual([2, 0, undefined]);
  });

  it("is due when a full request of 100 waits, or on demand when any does", () => {
    const params = new ParamBuffer();
    let full = false;
    for (let i = 0; i < 100; i++) full = params.push(`p${i}`, "v");
    expect(full).toBe(true);
    expect(params.due(false)).toBe(true);
    params.drain();
    params.push("late", "v");
    expect([params.due(false), params.due(true)]).toEqual([false, true]);
  });
});

describe("TagBuffer", () => {
  it("coalesces writes of a buffered key: the last value goes, at the place of the first write", () => {
    const tags = new TagBuffer();
    tags.push("phase", "train");
    tags.push("owner", "ana");
    tags.push("phase", "eval");
    const { tags: sent } = packBatch({ params: new ParamBuffer(), tags: tags.source(), metrics: noMetrics });
    expect(sent.map((t) => [t.key, t.value, t.seq])).toEqual([
      ["phase", "eval", 0],
      ["owner", "ana", 1],
    ]);
    expect([tags.pushed, tags.coalesced, tags.size]).toEqual([3, 1, 0]);
  });

  it("holds back a key whose earlier write is in flight until that request settles", () => {
    const tags = new TagBuffer();
    tags.push("phase", "a");
    const first = packBatch({ params: new ParamBuffer(), tags: tags.source(), metrics: noMetrics });
    tags.lock(first.tags);
    tags.push("phase", "b");
    tags.push("other", "x");
    expect(tags.oldest).toBe(1);
    const second = packBatch({ params: new ParamBuffer(), tags: tags.source(), metrics: noMetrics });
    expect(second.tags.map((t) => t.key)).toEqual(["other"]);
    expect(tags.due(true)).toBe(false);
    tags.unlock(first.tags);
    expect(tags.due(true)).toBe(true);
    const third = packBatch({ params: new ParamBuffer(), tags: tags.source(), metrics: noMetrics });
    expect(third.tags.map((t) => [t.key, t.value])).toEqual([["phase", "b"]]);
    expect(tags.oldest).toBe(Number.POSITIVE_INFINITY);
  });
});
