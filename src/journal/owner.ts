/**
 * Who owns a journal, and whether that owner is still alive: the lock that dies with its owner.
 *
 * A journal folder's name says which process owns it: `<run>.<pid>-<start>-<machine>-<serial>`,
 * where `start` is the process's start time in clock ticks since boot (`/proc/<pid>/stat`, field 22)
 * and `machine` a hash of the host name, the boot id and the pid namespace. The owner is alive
 * exactly when a process with that pid *and that start time* exists on the same machine, so a pid
 * reused by another process does not keep a dead journal locked, and no file has to be cleaned up
 * when a process dies (nothing can outlive its owner). Taking over a dead owner's journal is one
 * `rename(2)` of its folder to a name that names the new owner: atomic, so of two processes that try
 * at once exactly one succeeds and the other finds the old name gone.
 *
 * A journal from another machine (another host, pid namespace or boot) cannot be checked from here:
 * it is `foreign` and left alone, except that one from an earlier boot of this same host and pid
 * namespace is `dead` (every process of that boot is gone). On platforms without `/proc` the start
 * time is unknown (0) and liveness is `kill(pid, 0)`: a reused pid then keeps a dead journal
 * `live` (never the other way round) until that process exits.
 * @internal
 * @module
 */
import { createHash } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

/** The process that owns a journal. */
export interface OwnerIdentity {
  pid: number;
  /** Start time in clock ticks since boot; 0 where `/proc` is missing. */
  startTicks: number;
  /** 8 hex digits: hash of host name, boot id and pid namespace. */
  machine: string;
}

/** Where a process runs, in full (kept in a journal's meta.json to tell a reboot from another host). */
export interface MachineDescription {
  host: string;
  /** `/proc/sys/kernel/random/boot_id`, or "" where missing. */
  bootId: string;
  /** The pid namespace, e.g. `pid:[4026531836]`, or "" where missing. */
  pidNamespace: string;
}

/**
 * - `live`: the owner process is running: the journal must not be touched;
 * - `dead`: the owner is gone: the journal may be claimed and recovered;
 * - `foreign`: written on another machine (or container): it cannot be checked from here.
 */
export type OwnerState = "live" | "dead" | "foreign";

let machineCache: { description: MachineDescription; tag: string } | undefined;
let selfCache: OwnerIdentity | undefined;

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

function readLink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "";
  }
}

/**
 * The machine this process runs on.
 * @example
 * describeMachine().host // "gpu-node-17"
 */
export function describeMachine(): MachineDescription {
  machineCache ??= (() => {
    const description = { host: hostname(), bootId: readText("/proc/sys/kernel/random/boot_id"), pidNamespace: readLink("/proc/self/ns/pid") };
    return { description, tag: machineTag(description) };
  })();
  return machineCache.description;
}

/**
 * The 8-hex-digit tag of a machine description.
 * @example
 * machineTag(describeMachine()) === currentOwner().machine // true
 */
export function machineTag(description: MachineDescription): string {
  return createHash("sha256").update(`${description.host}\n${description.bootId}\n${description.pidNamespace}`).digest("hex").slice(0, 8);
}

/**
 * Start time of process `pid` in clock ticks since boot, from `/proc/<pid>/stat`; `undefined` when
 * there is no such process, 0 where `/proc` does not exist.
 * @example
 * processStartTicks(process.pid) // e.g. 131935
 */
export function processStartTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") return readText("/proc/self/stat") === "" ? processExists(pid) : undefined;
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces and ')': fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
}

/** Where `/proc` is missing: 0 when `pid` exists, `undefined` when it does not. */
function processExists(pid: number): number | undefined {
  try {
    process.kill(pid, 0);
    return 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? 0 : undefined;
  }
}

/**
 * This process as a journal owner.
 * @example
 * formatJournalName({ runKey, owner: currentOwner(), serial: 0 })
 */
export function currentOwner(): OwnerIdentity {
  describeMachine();
  selfCache ??= { pid: process.pid, startTicks: processStartTicks(process.pid) ?? 0, machine: machineCache!.tag };
  return selfCache;
}

/**
 * Whether `owner` is alive, seen from this process.
 * @param recorded - The full machine description stored with the journal by `owner`, if known: it
 *   tells an earlier boot of this host (dead) from another host (foreign).
 * @example
 * ownerState(parseJournalName(name)!.owner) // "live" | "dead" | "foreign"
 */
export function ownerState(owner: OwnerIdentity, recorded?: MachineDescription): OwnerState {
  const self = currentOwner();
  if (owner.machine !== self.machine) {
    const here = describeMachine();
    const sameHostEarlierBoot =
      recorded !== undefined &&
      machineTag(recorded) === owner.machine &&
      recorded.host === here.host &&
      recorded.pidNamespace === here.pidNamespace &&
      recorded.bootId !== "" &&
      recorded.bootId !== here.bootId;
    return sameHostEarlierBoot ? "dead" : "foreign";
  }
  const startTicks = processStartTicks(owner.pid);
  if (startTicks === undefined) return "dead";
  return startTicks === owner.startTicks || owner.startTicks === 0 || startTicks === 0 ? "live" : "dead";
}

/** What a journal folder's name says. */
export interface JournalName {
  /** The run id, or a hash of it when it has characters a file name cannot hold. */
  runKey: string;
  owner: OwnerIdentity;
  /** Distinguishes the journals one process keeps for the same run. */
  serial: number;
}

const NAME = /^([A-Za-z0-9_-]{1,64})\.(\d+)-(\d+)-([0-9a-f]{8})-(\d+)$/;

/**
 * The folder name of a journal.
 * @example
 * formatJournalName({ runKey: "abc", owner: { pid: 42, startTicks: 900, machine: "795c048e" }, serial: 0 }) // "abc.42-900-795c048e-0"
 */
export function formatJournalName(name: JournalName): string {
  return `${name.runKey}.${name.owner.pid}-${name.owner.startTicks}-${name.owner.machine}-${name.serial}`;
}

/**
 * Parses a journal folder name; `undefined` for any other name.
 * @example
 * parseJournalName("abc.42-900-795c048e-0")?.owner.pid // 42
 */
export function parseJournalName(fileName: string): JournalName | undefined {
  const match = NAME.exec(fileName);
  if (!match) return undefined;
  return { runKey: match[1]!, owner: { pid: Number(match[2]), startTicks: Number(match[3]), machine: match[4]! }, serial: Number(match[5]) };
}

/**
 * The part of a folder name that stands for a run id: the id itself when it is a safe file name.
 * @example
 * runKeyOf("0123456789abcdef0123456789abcdef") // the same; runKeyOf("a/b") // a 32-hex-digit hash
 */
export function runKeyOf(runId: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(runId) ? runId : createHash("sha256").update(runId).digest("hex").slice(0, 32);
}
