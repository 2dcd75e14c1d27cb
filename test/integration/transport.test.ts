/**
 * The transport under hostile conditions, against the real stack: a pooled socket the server
 * closed while this process was busy in a synchronous Python step.
 */
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { stackClient, stackEnv } from "./support/stack.js";

/** uvicorn's `timeout_keep_alive` (5 s), which `mlflow server` 3.17 keeps, plus a margin. */
const LONGER_THAN_SERVER_KEEP_ALIVE_S = 6.5;

const client = stackClient("direct");

afterAll(async () => {
  await client.close();
});

describe("a keep-alive socket the server closed while the event loop was blocked", () => {
  it("replays the next call on a fresh connection: it succeeds with maxRetries 0 after a Python step longer than the server's keep-alive", async () => {
    await Promise.all([client.experiments.getByName("Default"), client.experiments.getByName("Default")]);
    // A synchronous child process blocks this event loop, so neither the client's idle timer nor
    // the server's FIN is processed before the next request is written to the pooled socket.
    execFileSync(stackEnv("STACK_PYTHON"), ["-c", `import time; time.sleep(${LONGER_THAN_SERVER_KEEP_ALIVE_S})`]);
    await expect(client.experiments.getByName("Default", { maxRetries: 0 })).resolves.toMatchObject({ experiment_id: "0" });
  });
});
