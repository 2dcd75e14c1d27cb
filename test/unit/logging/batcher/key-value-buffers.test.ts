/**
 * The param and tag buffers as sources of the packer: FIFO params, coalescing tags, locked tag keys
 * skipped until their request settles, and the sequence numbers `flush()` waits on.
 */
import { describe, expect, it } from "vitest";
import type { PendingKeyValue } from "../../../../src/logging/batcher/batch.js";
import { ParamBuffer, TagBuffer } from "../../../../src/logging/batcher/key-value-buffers.js";
import type { MetricInput } from "../../../../src/protocol/endpoints.js";
import { keyValueBytes, packBatch } from "../../../../src/protocol/log-batch.js";

const noMetrics = { take: (): MetricInput[] => [] };

/** Takes the next sendable tag write, as the packer does. */
function takeTag(tags: TagBuffer): PendingKeyValue {
  const source = tags.source();
  source.nextBytes();
  return source.take();
}

describe("ParamBuffer", () => {
  it("gives params in logging order, with their size and sequence number, and the oldest one not taken", () => {
    const params = new ParamBuffer();
    params.push("lr", "0.1");
    params.push("layers", "3");
    expect(params.nextBytes()).toBe(keyValueBytes({ key: "lr", value: "0.1" }));
    expect(params.take()).toMatchObject({ key: "lr", seq: 0 });
    expect([params.pushed, params.oldest(false), params.size]).toEqual([2, 1, 1]);
    expect(params.drain().map((p) => p.key)).toEqual(["layers"]);
    expect([params.oldest(false), params.size, params.nextBytes()]).toEqual([2, 0, undefined]);
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

describe("ParamBuffer: params kept in the journal at their deadline", () => {
  it("holds them apart until released, then gives them again in sequence order among the buffered ones, marked as a re-delivery", () => {
    const params = new ParamBuffer();
    for (const key of ["a", "b", "c", "d"]) params.push(key, "v");
    const kept = [params.take(), params.take()];
    params.take();
    params.hold(kept);
    expect([params.held, params.size, params.oldest(false), params.oldest(true)]).toEqual([2, 1, 3, 0]);
    params.release();
    expect(params.held).toBe(0);
    const again = params.drain();
    expect(again.map((p) => [p.key, p.redelivery === true])).toEqual([
      ["a", true],
      ["b", true],
      ["d", false],
    ]);
  });
});

describe("TagBuffer: writes kept in the journal at their deadline", () => {
  it("a held write is released and sent again unless a later write of its key came: that one wins, the held one is superseded", () => {
    const superseded: number[] = [];
    const tags = new TagBuffer((seq) => superseded.push(seq));
    tags.push("phase", "train"); // 0
    tags.push("owner", "ana"); // 1
    const kept = [takeTag(tags), takeTag(tags)];
    tags.hold(kept);
    expect([tags.held, tags.size, tags.oldest(false), tags.oldest(true)]).toEqual([2, 0, Number.POSITIVE_INFINITY, 0]);
    tags.push("phase", "eval"); // 2: supersedes the held write 0
    expect(superseded).toEqual([0]);
    tags.release();
    const again = tags.drain();
    expect(again.map((t) => [t.key, t.value, t.redelivery === true])).toEqual([
      ["phase", "eval", false],
      ["owner", "ana", true],
    ]);
  });

  it("a write held while a later write of its key is buffered is superseded at once, never sent again", () => {
    const superseded: number[] = [];
    const tags = new TagBuffer((seq) => superseded.push(seq));
    tags.push("phase", "train"); // 0
    const kept = [takeTag(tags)];
    tags.lock(kept);
    tags.push("phase", "eval"); // 1: waits behind the locked key
    tags.hold(kept);
    tags.unlock(kept);
    expect([tags.held, superseded]).toEqual([0, [0]]);
    tags.release();
    expect(tags.drain().map((t) => [t.value, t.redelivery === true])).toEqual([["eval", false]]);
  });

  it("a write coalesced into a released one is a first delivery again", () => {
    const tags = new TagBuffer();
    tags.push("phase", "train");
    tags.hold([takeTag(tags)]);
    tags.release();
    tags.push("phase", "eval");
    expect(tags.drain().map((t) => [t.value, t.seq, t.last, t.redelivery === true])).toEqual([["eval", 0, 1, false]]);
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
    expect(tags.oldest(false)).toBe(1);
    const second = packBatch({ params: new ParamBuffer(), tags: tags.source(), metrics: noMetrics });
    expect(second.tags.map((t) => t.key)).toEqual(["other"]);
    expect(tags.due(true)).toBe(false);
    tags.unlock(first.tags);
    expect(tags.due(true)).toBe(true);
    const third = packBatch({ params: new ParamBuffer(), tags: tags.source(), metrics: noMetrics });
    expect(third.tags.map((t) => [t.key, t.value])).toEqual([["phase", "b"]]);
    expect(tags.oldest(false)).toBe(Number.POSITIVE_INFINITY);
  });
});
