/** Transfer progress of the command: plain lines off a terminal, a cli-progress bar on one. */
import { describe, expect, it } from "vitest";
import { createProgress } from "../../../../src/cli/output/progress.js";
import { formatBytes } from "../../../../src/core/units.js";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) };
}

const MiB = 1024 * 1024;

describe("progress off a terminal", () => {
  it("prints one line per tenth of the total, however many updates arrive", () => {
    const out = stream(false);
    const progress = createProgress("upload", out);
    for (let loaded = 0; loaded <= 40 * MiB; loaded += 256 * 1024) progress.update(loaded, 40 * MiB);
    progress.stop();
    expect(out.writes).toHaveLength(11);
    expect(out.writes[0]).toBe("upload: 0 B of 40.0 MiB (0%)\n");
    expect(out.writes[4]).toBe("upload: 16.0 MiB of 40.0 MiB (40%)\n");
    expect(out.writes.at(-1)).toBe("upload: 40.0 MiB of 40.0 MiB (100%)\n");
  });

  it("prints where an unfinished transfer stopped", () => {
    const out = stream(false);
    const progress = createProgress("download", out);
    progress.update(0, 100 * MiB);
    progress.update(55 * MiB, 100 * MiB);
    progress.update(57 * MiB, 100 * MiB);
    progress.stop();
    expect(out.writes).toEqual(["download: 0 B of 100.0 MiB (0%)\n", "download: 55.0 MiB of 100.0 MiB (55%)\n", "download: 57.0 MiB of 100.0 MiB (57%)\n"]);
  });

  it("prints a line per 64 MiB when the total is unknown", () => {
    const out = stream(false);
    const progress = createProgress("upload", out);
    for (let loaded = 0; loaded <= 130 * MiB; loaded += 8 * MiB) progress.update(loaded, undefined);
    progress.stop();
    expect(out.writes.slice(0, 3)).toEqual(["upload: 0 B\n", "upload: 64.0 MiB\n", "upload: 128.0 MiB\n"]);
  });
});

describe("progress on a terminal", () => {
  it("draws a bar with the label, the percentage and the sizes", () => {
    const out = stream(true);
    const progress = createProgress("upload", out);
    progress.update(0, 4 * MiB);
    progress.update(4 * MiB, 4 * MiB);
    progress.stop();
    const text = out.writes.join("");
    expect(text).toContain("upload [");
    expect(text).toContain("100% 4.0 MiB/4.0 MiB");
  });
});

describe("formatBytes", () => {
  it("uses binary units with one decimal", () => {
    expect([0, 512, 1536, 12 * MiB, 3 * 1024 * MiB].map(formatBytes)).toEqual(["0 B", "512 B", "1.5 KiB", "12.0 MiB", "3.0 GiB"]);
  });
});
