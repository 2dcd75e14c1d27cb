/**
 * Real overload for fault tests: freezes one service of this worktree's stack (the MLflow server
 * with its workers, or PostgreSQL with its backends) with SIGSTOP, for a bounded time, then resumes
 * it with SIGCONT — always, in a `finally`, and through a detached watchdog that sends SIGCONT on
 * its own when the pause is over, should the test process die while the service is frozen.
 *
 * A frozen server still accepts connections (the kernel completes handshakes into its backlog),
 * but answers nothing: clients see a slow server, not a refused one.
 *
 * @example
 * const report = await pauseService("pg", 5_000); // { service: "pg", processes: 17, pausedMs: 5003 }
 * await pauseService(stackService("direct"), 5_000); // the MLflow server under test
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stackEnv } from "./stack.js";

/**
 * A service of the stack, as its pid file names it: `pg`, `s3`, or an MLflow server's service name
 * (`mlflow-direct`…; `stackService(server)` gives the one under test).
 */
export type PausableService = string;

/** What a pause did. */
export interface PauseReport {
  service: PausableService;
  /** Processes frozen (the service's leader and its descendants). */
  processes: number;
  /** From the first SIGSTOP to the last SIGCONT, ms. */
  pausedMs: number;
}

/** Longest pause allowed: a test must never leave a service frozen for long. */
export const MAX_PAUSE_MS = 60_000;
/** The watchdog resumes the service this long after the pause should have ended. */
const WATCHDOG_GRACE_MS = 5_000;

/**
 * Freezes `service` for `pauseMs`, then resumes it.
 * @throws {Error} when `pauseMs` is over {@link MAX_PAUSE_MS}, or the service's pid file does not
 *   name a live process of this stack (is the stack up?).
 */
export async function pauseService(service: PausableService, pauseMs: number): Promise<PauseReport> {
  if (!(pauseMs > 0 && pauseMs <= MAX_PAUSE_MS)) throw new Error(`pauseMs must be in (0, ${MAX_PAUSE_MS}] ms, got ${pauseMs}. Fix: pause for a shorter time.`);
  const leader = servicePid(service);
  const frozen: number[] = [];
  let watchdog: number | undefined;
  const startedAt = Date.now();
  try {
    // The leader first, so that it cannot start a process that escapes the list.
    stop(leader, frozen);
    for (const pid of descendants(leader)) stop(pid, frozen);
    watchdog = startWatchdog(frozen, pauseMs + WATCHDOG_GRACE_MS);
    await sleep(pauseMs);
  } finally {
    for (const pid of [...frozen].reverse()) signal(pid, "SIGCONT");
    // The watchdog leads its own process group (sh and its sleep): end both.
    if (watchdog !== undefined) signal(-watchdog, "SIGTERM");
  }
  return { service, processes: frozen.length, pausedMs: Date.now() - startedAt };
}

/** The pid in `<run dir>/<service>.pid`, checked to be a live process of this stack. */
function servicePid(service: PausableService): number {
  const stackDir = stackEnv("STACK_DIR");
  const pid = Number(readFileSync(join(stackEnv("STACK_RUN_DIR"), `${service}.pid`), "utf8").trim());
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  if (!cmdline.includes(stackDir)) throw new Error(`pid ${pid} of ${service} is not a process of the stack in ${stackDir}. Fix: bash scripts/stack/up.`);
  return pid;
}

/** Every live descendant of `root`, parents before children, read from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentPid(Number(entry));
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function parentPid(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined; // exited meanwhile
  }
}

function stop(pid: number, frozen: number[]): void {
  if (signal(pid, "SIGSTOP")) frozen.push(pid);
}

/** Sends `sig`; false when the process has exited meanwhile. */
function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * A detached shell that sends SIGCONT to `pids` after `afterMs`, in case this process dies while
 * they are frozen; returns its pid (it leads its own process group).
 */
function startWatchdog(pids: number[], afterMs: number): number | undefined {
  const child = spawn("sh", ["-c", `sleep ${Math.ceil(afterMs / 1000)}; kill -CONT ${pids.join(" ")} 2>/dev/null; true`], { detached: true, stdio: "ignore" });
  child.unref();
  return child.pid;
}
