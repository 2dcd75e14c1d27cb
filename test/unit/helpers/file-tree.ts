/** Every file under a folder, by relative path: its content, or its sha256 (for trees compared with Python's). */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Relative path → UTF-8 content (`"text"`) or sha256 hex (`"sha256"`) of every file under `root`. */
export function fileTree(root: string, as: "text" | "sha256" = "text"): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path)] = as === "text" ? readFileSync(path, "utf8") : createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  walk(root);
  return out;
}
