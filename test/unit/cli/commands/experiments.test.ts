/**
 * `mlflow-ts experiments create|rename|delete|restore|describe` in-process on the embedded store,
 * which keeps what they write: names and ids resolved (deleted experiments too), the ambiguous
 * argument, and the errors of a taken name, an unknown experiment and a malformed tag.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cliEmbedded } from "../../helpers/cli.js";
import { removeTempDirs, sqliteClient, tempDir } from "../../store/sqlite/helpers.js";

afterEach(removeTempDirs);

async function experimentJson(dir: string, ref: string, ...flags: string[]) {
  const { code, stdout, stderr } = await cliEmbedded(["experiments", "describe", ref, "--json", ...flags], dir);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(stdout) as { experiment_id: string; name: string; lifecycle_stage: string; tags: { key: string; value: string }[] };
}

describe("experiments create", () => {
  it("prints only the new id, and keeps the tags and artifact location given", async () => {
    const dir = tempDir();
    const created = await cliEmbedded(
      ["experiments", "create", "nightly", "--tag", "team=vision", "--tag", "query=a=b", "--artifact-location", `${dir}/a`],
      dir,
    );
    expect(created).toEqual({ code: 0, stdout: "1\n", stderr: "" });
    const experiment = await experimentJson(dir, "1");
    expect(experiment.name).toBe("nightly");
    expect(experiment.tags).toEqual(
      expect.arrayContaining([
        { key: "team", value: "vision" },
        { key: "query", value: "a=b" },
      ]),
    );
    expect(await cliEmbedded(["experiments", "create", "other", "--json"], dir)).toEqual({ code: 0, stdout: '{"experiment_id":"2"}\n', stderr: "" });
  });

  it("exits 1 naming the id when the name is taken, and the restore command when a deleted experiment holds it", async () => {
    const dir = tempDir();
    await cliEmbedded(["experiments", "create", "nightly"], dir);
    const taken = await cliEmbedded(["experiments", "create", "nightly"], dir);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('error: An experiment named "nightly" already exists (id 1). Fix: use it, or pick another name.\n');
    await cliEmbedded(["experiments", "delete", "nightly"], dir);
    const deleted = await cliEmbedded(["experiments", "create", "nightly"], dir);
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toContain("belongs to deleted experiment 1. Fix: mlflow-ts experiments restore 1, or pick another name.");
  });

  it("exits 2 on a tag that is not KEY=VALUE, before any write", async () => {
    const dir = tempDir();
    const { code, stderr } = await cliEmbedded(["experiments", "create", "nightly", "--tag", "team"], dir);
    expect(code).toBe(2);
    expect(stderr).toContain('"team" is not KEY=VALUE. Fix: write it as key=value');
    const client = sqliteClient(dir);
    expect(await client.experiments.getByName("nightly")).toBeUndefined();
    await client.close();
  });
});

describe("experiments rename, delete, restore", () => {
  it("renames by id and by name", async () => {
    const dir = tempDir();
    await cliEmbedded(["experiments", "create", "a"], dir);
    expect((await cliEmbedded(["experiments", "rename", "1", "b"], dir)).stdout).toBe('Renamed experiment 1 from "a" to "b".\n');
    expect((await cliEmbedded(["experiments", "rename", "b", "c"], dir)).stdout).toBe('Renamed experiment 1 from "b" to "c".\n');
    expect((await experimentJson(dir, "1")).name).toBe("c");
  });

  it("deletes by name, finds the deleted experiment by name to restore it, and says so when there is nothing to do", async () => {
    const dir = tempDir();
    await cliEmbedded(["experiments", "create", "a"], dir);
    const deleted = await cliEmbedded(["experiments", "delete", "a"], dir);
    expect(deleted).toEqual({ code: 0, stdout: 'Deleted experiment 1 ("a") and its runs. Undo with: mlflow-ts experiments restore 1\n', stderr: "" });
    expect((await experimentJson(dir, "a")).lifecycle_stage).toBe("deleted");
    expect((await cliEmbedded(["experiments", "delete", "a"], dir)).stdout).toBe('Experiment 1 ("a") is already deleted.\n');
    expect(await cliEmbedded(["experiments", "restore", "a"], dir)).toEqual({ code: 0, stdout: 'Restored experiment 1 ("a").\n', stderr: "" });
    expect((await experimentJson(dir, "1")).lifecycle_stage).toBe("active");
    expect((await cliEmbedded(["experiments", "restore", "a"], dir)).stdout).toBe('Experiment 1 ("a") is not deleted; nothing to restore.\n');
  });

  it("exits 1 naming an experiment that does not exist, and what lists them", async () => {
    const dir = tempDir();
    const { code, stdout, stderr } = await cliEmbedded(["experiments", "delete", "nope"], dir);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toMatch(/^error: There is no experiment named or with id "nope" at .*\. Fix: check the name or id; mlflow-ts experiments list --view all/);
  });

  it("exits 2 when the argument is one experiment's name and another's id, and --by settles it", async () => {
    const dir = tempDir();
    await cliEmbedded(["experiments", "create", "a"], dir); // id 1
    await cliEmbedded(["experiments", "create", "1"], dir); // id 2, named "1"
    const ambiguous = await cliEmbedded(["experiments", "delete", "1"], dir);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('"1" is both the name of experiment 2 and the id of experiment "a". Fix: add --by name or --by id.');
    expect((await experimentJson(dir, "1", "--by", "name")).experiment_id).toBe("2");
    expect((await experimentJson(dir, "1", "--by", "id")).name).toBe("a");
    expect((await experimentJson(dir, "a")).lifecycle_stage).toBe("active"); // the ambiguous delete deleted nothing
  });
});

describe("experiments describe", () => {
  it("prints the state, artifact location, times and tags", async () => {
    const dir = tempDir();
    await cliEmbedded(["experiments", "create", "a", "--tag", "team=vision", "--artifact-location", `${dir}/art`], dir);
    const lines = (await cliEmbedded(["experiments", "describe", "a"], dir)).stdout.trimEnd().split("\n");
    expect(lines[0]).toBe('Experiment 1 ("a"): active');
    expect(lines[1]).toMatch(/^ {2}artifact location: .*art$/);
    expect(lines[2]).toMatch(/^ {2}created: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(lines.slice(4)).toEqual(["Tags:", "  team  vision"]);
  });
});
