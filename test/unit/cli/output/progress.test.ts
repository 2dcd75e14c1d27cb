/**
 * Transfer progress of the command: the choice between a bar and plain lines, the plain lines'
 * throttling (on an injected clock: no test waits or reads the wall clock), the rate and ETA, and
 * the summary.
 */
import { describe, expect, it } from "vitest";
import type { TransferProgress } from "../../../../src/artifacts/types.js";
import { createProgress, usesBar } from "../../../../src/cli/output/progress.js";
import { MIN_LINE_INTERVAL_MS } from "../../../../src/cli/output/progress-lines.js";
import { describeProgress } from "../../../../src/cli/output/progress-text.js";
import { TransferMeter } from "../../../../src/cli/output/transfer-meter.js";
import { formatBytes, formatDuration } from "../../../../src/core/units.js";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

/** A clock the test moves by hand. */
function clock() {
  let nowMs = 0;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

const MiB = 1024 * 1024;

function event(loadedBytes: number, totalBytes: number | undefined, completedFiles = 0, totalFiles = 1): TransferProgress {
  return { loadedBytes, totalBytes, completedFiles, totalFiles, path: "f" };
}

/** The percentages of the plain lines, in order. */
function percents(lines: string[]): number[] {
  return lines.flatMap((line) => {
    const match = /\((\d+)%\)/.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

describe("the choice between a bar and plain lines", () => {
  it("draws a bar only on a terminal that can redraw a line", () => {
    expect(usesBar({ write: () => true, isTTY: true }, {})).toBe(true);
    expect(usesBar({ write: () => true, isTTY: true }, { TERM: "dumb" })).toBe(false);
    expect(usesBar({ write: () => true, isTTY: false }, {})).toBe(false);
    expect(usesBar({ write: () => true }, {})).toBe(false);
  });

  it("writes plain lines to a pipe and bar frames to a terminal", () => {
    const pipe = stream(false);
    const plain = createProgress("upload", pipe, { now: clock().now });
    plain.update(event(0, 4 * MiB));
    plain.update(event(4 * MiB, 4 * MiB, 1));
    plain.finish();
    expect(pipe.writes.every((text) => text.endsWith("\n") && !text.includes("\r") && !text.includes("\u001b"))).toBe(true);

    const terminal = stream(true);
    const bar = createProgress("upload", terminal, { now: clock().now });
    bar.update(event(0, 4 * MiB));
    bar.update(event(4 * MiB, 4 * MiB, 1));
    bar.finish();
    const text = terminal.writes.join("");
    expect(text).toContain("upload [");
    expect(text).toContain("4.0 MiB of 4.0 MiB (100%)");
    expect(text).toMatch(/upload: done: 1 file, 4\.0 MiB in /);
  });
});

describe("plain progress lines", () => {
  it("print at most one line per tenth of a fast transfer, and never more often than the interval", () => {
    const time = clock();
    const out = stream(false);
    const progress = createProgress("upload", out, { now: time.now });
    // 160 events of 256 KiB, 100 ms apart: 16 s in all, so the interval allows about three lines.
    for (let loaded = 0; loaded <= 40 * MiB; loaded += 256 * 1024) {
      progress.update(event(loaded, 40 * MiB));
      time.advance(100);
    }
    progress.finish();
    const lines = out.writes.slice(0, -1);
    expect(lines.length).toBeLessThanOrEqual(2 + Math.ceil(16_000 / MIN_LINE_INTERVAL_MS));
    expect(lines[0]).toBe("upload: 0 B of 40.0 MiB (0%)\n");
    expect(lines.at(-1)).toBe("upload: 40.0 MiB of 40.0 MiB (100%)\n");
    const shares = percents(lines);
    expect([...shares].sort((a, b) => a - b)).toEqual(shares);
  });

  it("print one line per tenth of a slow transfer, 11 in all however many events arrive", () => {
    const time = clock();
    const out = stream(false);
    const progress = createProgress("download", out, { now: time.now });
    for (let loaded = 0; loaded <= 100 * MiB; loaded += MiB) {
      progress.update(event(loaded, 100 * MiB));
      time.advance(10_000);
    }
    progress.finish();
    const lines = out.writes.slice(0, -1);
    expect(percents(lines)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(out.writes.at(-1)).toMatch(/^download: done: 0 files, 100\.0 MiB in 16 min 50 s \(101\.\d KiB\/s\)\n$/);
  });

  it("show files done of the total, the smoothed rate and the ETA", () => {
    const time = clock();
    const out = stream(false);
    const progress = createProgress("upload", out, { now: time.now, minLineIntervalMs: 0 });
    progress.update(event(0, 10 * MiB, 0, 50));
    time.advance(1000);
    progress.update(event(MiB, 10 * MiB, 5, 50));
    expect(out.writes.at(-1)).toBe("upload: 1.0 MiB of 10.0 MiB (10%), 5 of 50 files, 1.0 MiB/s, ETA 9 s\n");
  });

  it("print where an unfinished transfer stopped, without a summary", () => {
    const time = clock();
    const out = stream(false);
    const progress = createProgress("download", out, { now: time.now });
    progress.update(event(0, 100 * MiB));
    time.advance(1000);
    progress.update(event(55 * MiB, 100 * MiB));
    progress.stop();
    progress.stop();
    expect(out.writes).toEqual(["download: 0 B of 100.0 MiB (0%)\n", "download: 55.0 MiB of 100.0 MiB (55%), 55.0 MiB/s, ETA 0.8 s\n"]);
  });

  it("print a line each time the bytes double when the total is unknown", () => {
    const time = clock();
    const out = stream(false);
    const progress = createProgress("upload", out, { now: time.now, minLineIntervalMs: 0 });
    for (let loaded = 0; loaded <= 1024 * MiB; loaded += 8 * MiB) progress.update(event(loaded, undefined));
    progress.stop();
    expect(out.writes.map((line) => line.trimEnd().split(",")[0])).toEqual([
      "upload: 0 B",
      "upload: 8.0 MiB",
      "upload: 16.0 MiB",
      "upload: 32.0 MiB",
      "upload: 64.0 MiB",
      "upload: 128.0 MiB",
      "upload: 256.0 MiB",
      "upload: 512.0 MiB",
      "upload: 1.0 GiB",
    ]);
  });

  it("end with a summary of files, bytes, elapsed time and average rate", () => {
    const time = clock();
    const out = stream(false);
    const progress = createProgress("upload", out, { now: time.now });
    progress.update(event(0, 40 * MiB, 0, 50));
    time.advance(4000);
    progress.update(event(40 * MiB, 40 * MiB, 50, 50));
    progress.finish();
    progress.stop();
    expect(out.writes.slice(-2)).toEqual(["upload: 40.0 MiB of 40.0 MiB (100%), 50 of 50 files\n", "upload: done: 50 files, 40.0 MiB in 4 s (10.0 MiB/s)\n"]);
  });
});

describe("the rate and the ETA", () => {
  it("smooth the rate over time, so one fast second does not make it jump", () => {
    const time = clock();
    const meter = new TransferMeter(time.now);
    let loaded = 0;
    for (let second = 0; second < 10; second++) {
      time.advance(1000);
      loaded += MiB;
      meter.update(event(loaded, 100 * MiB));
    }
    time.advance(1000);
    loaded += 10 * MiB;
    const reading = meter.update(event(loaded, 100 * MiB));
    expect(reading.bytesPerSecond).toBeGreaterThan(MiB);
    expect(reading.bytesPerSecond).toBeLessThan(5 * MiB);
    expect(reading.etaMs).toBeCloseTo(((100 * MiB - loaded) * 1000) / reading.bytesPerSecond!, 6);
  });

  it("have no ETA when the total is unknown, and no rate before a first sample", () => {
    const time = clock();
    const meter = new TransferMeter(time.now);
    expect(meter.update(event(MiB, undefined))).toMatchObject({ bytesPerSecond: undefined, etaMs: undefined });
    time.advance(1000);
    expect(meter.update(event(2 * MiB, undefined))).toMatchObject({ bytesPerSecond: MiB, etaMs: undefined });
  });

  it("count the rate from the first event, not from the time spent listing the files before it", () => {
    const time = clock();
    const meter = new TransferMeter(time.now);
    time.advance(30_000);
    meter.update(event(0, 10 * MiB, 0, 50));
    time.advance(1000);
    expect(meter.update(event(2 * MiB, 10 * MiB, 5, 50))).toMatchObject({ bytesPerSecond: 2 * MiB, etaMs: 4000, elapsedMs: 31_000 });
  });

  it("leave the rate and the ETA out of a finished line", () => {
    expect(describeProgress({ loadedBytes: 5, totalBytes: 5, completedFiles: 2, totalFiles: 2, elapsedMs: 10, bytesPerSecond: 500, etaMs: 0 })).toBe(
      "5 B of 5 B (100%), 2 of 2 files",
    );
  });
});

describe("formatBytes and formatDuration", () => {
  it("use binary units with one decimal", () => {
    expect([0, 512, 1536, 12 * MiB, 3 * 1024 * MiB].map(formatBytes)).toEqual(["0 B", "512 B", "1.5 KiB", "12.0 MiB", "3.0 GiB"]);
  });

  it("round durations to what a person reads at a glance", () => {
    expect([1500, 42_000, 185_000, 3_725_000].map(formatDuration)).toEqual(["1.5 s", "42 s", "3 min 05 s", "1 h 02 min"]);
  });
});
