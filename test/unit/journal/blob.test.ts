/**
 * Artifacts built in memory in the journal (format 3, kind 9): the bytes become a content-addressed
 * blob `blobs/<sha256>` written durably before the entry is appended; the entry round-trips; a blob
 * leaves with the last segment that names it; `readBlob` tells a whole blob from a missing or
 * damaged one; the limits refuse a blob without writing it; a blob that cannot be written turns the
 * journal degraded (the one report), never throws.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blobPath, readBlob } from "../../../src/journal/blob.js";
import { SEGMENT_VERSION } from "../../../src/journal/format.js";
import { Journal, type JournalInit } from "../../../src/journal/journal.js";
import { SegmentReader } from "../../../src/journal/segment-reader.js";
import { columns, readFolder, tempDir, testOptions } from "./helpers.js";

const RUN = "0123456789abcdef0123456789abcdef";

function sha256(bytes: string | Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function open(dir: string, extra: Partial<JournalInit> = {}): Promise<Journal> {
  return Journal.create({ runId: RUN, trackingUri: "http://127.0.0.1:5000", options: testOptions(dir), ...extra });
}

describe("a blob in the journal", () => {
  it("is written whole under its SHA-256 before its entry, and the entry round-trips (format 3)", async () => {
    const journal = await open(await tempDir());
    const added = await journal.appendBlob(Buffer.from("hello blob"), "notes/readme.txt");
    expect(added).toEqual({ appended: true, seq: 0 });
    expect(await readFile(blobPath(journal.path, sha256("hello blob")), "utf8")).toBe("hello blob");
    expect(await readdir(join(journal.path, "blobs"))).toEqual([sha256("hello blob")]); // no temporary left
    await journal.commit({ sync: true });

    const { records, damage } = await readFolder(journal.path);
    expect(damage).toEqual([]);
    expect(records).toEqual([
      {
        kind: "blob",
        stream: "control",
        firstSeq: 0,
        count: 1,
        appendedMs: expect.any(Number),
        blob: { artifactFile: "notes/readme.txt", sizeBytes: 10, sha256: sha256("hello blob") },
      },
    ]);
    const reader = await SegmentReader.open(join(journal.path, "00000000.seg"));
    expect(reader.header?.version).toBe(SEGMENT_VERSION);
    expect(SEGMENT_VERSION).toBeGreaterThanOrEqual(3);
    await reader.close();
    await journal.close();
  });

  it("leaves with the last segment that names it, and the folder goes at close once acknowledged", async () => {
    const journal = await open(await tempDir());
    const shared = Buffer.from("same bytes, logged twice");
    const first = await journal.appendBlob(shared, "a.txt");
    const only = await journal.appendBlob(Buffer.from("only in segment 0"), "b.txt");
    // Fill segment 0 past its 64 KiB so the next entry starts segment 1.
    journal.appendMetrics(columns(3000), 0, 3000);
    await journal.commit();
    const again = await journal.appendBlob(shared, "c.txt");
    await journal.commit({ sync: true });
    expect([first, only, again].every((a) => a.appended)).toBe(true);
    expect(journal.stats().segments).toBe(2);

    journal.acknowledge("metric", 0, 3000);
    journal.acknowledge("control", 0, 2); // a.txt and b.txt uploaded
    journal.appendMetrics(columns(3000), 0, 3000); // closes segment 1 once full, so segment 0 can go
    await journal.commit();
    journal.appendMetrics(columns(10), 0, 10);
    await journal.commit();
    expect(existsSync(join(journal.path, "00000000.seg"))).toBe(false);
    // b.txt's blob left with segment 0; the shared one stays: segment 1 still names it, unacknowledged.
    expect(existsSync(blobPath(journal.path, sha256("only in segment 0")))).toBe(false);
    expect(existsSync(blobPath(journal.path, sha256(shared)))).toBe(true);
    await journal.close();
  });

  it("reads back ok when whole, and missing or damaged otherwise, never throwing", async () => {
    const journal = await open(await tempDir());
    await journal.appendBlob(Buffer.from("abc"), "x.txt");
    await journal.appendBlob(Buffer.from("defg"), "y.txt");
    const entry = { artifactFile: "x.txt", sizeBytes: 3, sha256: sha256("abc") };
    const read = await readBlob(journal.path, entry);
    expect(read.state).toBe("ok");
    expect(read.state === "ok" && read.bytes.toString()).toBe("abc");

    await writeFile(blobPath(journal.path, sha256("abc")), "abd"); // same size, a flipped byte
    expect(await readBlob(journal.path, entry)).toMatchObject({ state: "damaged", detail: expect.stringContaining("SHA-256") });
    await writeFile(blobPath(journal.path, sha256("defg")), "de"); // cut short
    expect(await readBlob(journal.path, { artifactFile: "y.txt", sizeBytes: 4, sha256: sha256("defg") })).toMatchObject({
      state: "damaged",
      detail: expect.stringContaining("holds 2 bytes, the journal recorded 4"),
    });
    expect(await readBlob(journal.path, { artifactFile: "z.txt", sizeBytes: 1, sha256: sha256("z") })).toMatchObject({ state: "missing" });
    await journal.close();
  });

  it("is refused above the per-artifact limit and above the journal's disk limit, nothing written", async () => {
    const journal = await open(await tempDir(), { blobLimits: { maxBlobBytes: 100, maxJournalBlobBytes: 150 } });
    expect(await journal.appendBlob(Buffer.alloc(101, 1), "big.bin")).toEqual({ appended: false, reason: "too-large" });
    expect(await journal.appendBlob(Buffer.alloc(100, 2), "one.bin")).toMatchObject({ appended: true });
    expect(await journal.appendBlob(Buffer.alloc(60, 3), "two.bin")).toEqual({ appended: false, reason: "disk-cap" });
    // The same bytes again take no more disk.
    expect(await journal.appendBlob(Buffer.alloc(100, 2), "one-again.bin")).toMatchObject({ appended: true });
    expect(await readdir(join(journal.path, "blobs"))).toEqual([sha256(Buffer.alloc(100, 2))]);
    expect(journal.stats().appended.control).toBe(2);
    await journal.close();
  });

  it("turns the journal degraded, once, when the blob cannot be written (a file where its folder goes)", async () => {
    const reports: string[] = [];
    const journal = await open(await tempDir(), { onDegraded: (state) => reports.push(state.code) });
    await writeFile(join(journal.path, "blobs"), "not a folder");
    expect(await journal.appendBlob(Buffer.from("abc"), "x.txt")).toEqual({ appended: false, reason: "inactive" });
    expect(await journal.appendBlob(Buffer.from("abc"), "x.txt")).toEqual({ appended: false, reason: "inactive" });
    expect(reports).toHaveLength(1);
    expect(journal.degraded?.message).toMatch(/keep an artifact's bytes .*Fix: /);
    await journal.close();
  });
});
