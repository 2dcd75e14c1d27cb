/**
 * `clock`: this machine's clock against the `Date` headers the servers sent during the earlier
 * checks. S3 refuses SigV4 signatures more than 15 minutes off (`RequestTimeTooSkewed`), and run
 * times come from this clock, so a minute off is already worth a warning.
 */
import type { ServerDate, SetupContext } from "../context.js";
import { type CheckDefinition, fail, notApplicable, pass, warn } from "../runner.js";

/** Skew from which the check warns: 1 minute. */
export const CLOCK_WARN_MS = 60_000;
/** Skew from which SigV4 signatures are refused, and the check fails: 15 minutes. */
export const CLOCK_FAIL_MS = 15 * 60_000;
/** A `Date` header has whole seconds: the server's clock lies somewhere in the next second. */
const HALF_SECOND_MS = 500;

const SYNC_HINT = "Synchronise this machine's clock with NTP (timedatectl set-ntp true, or chronyc makestep; in a container, fix the host's clock).";

/** How far this machine's clock is from one server's, in ms; positive when the server is ahead. */
export interface ClockSkew {
  server: string;
  skewMs: number;
}

/**
 * The largest skew against each server, from the `Date` headers seen.
 *
 * @example
 * measureSkew([{ server: "S3 server", serverMs: 1_000_000, localMs: 939_500 }]); // [{ server: "S3 server", skewMs: 61_000 }]
 * @internal
 */
export function measureSkew(dates: readonly ServerDate[]): ClockSkew[] {
  const worst = new Map<string, number>();
  for (const date of dates) {
    const skew = date.serverMs + HALF_SECOND_MS - date.localMs;
    const known = worst.get(date.server);
    if (known === undefined || Math.abs(skew) > Math.abs(known)) worst.set(date.server, skew);
  }
  return [...worst].map(([server, skewMs]) => ({ server, skewMs }));
}

/** The `clock` check. @internal */
export const clockCheck: CheckDefinition<SetupContext> = {
  id: "clock",
  title: "Clock skew",
  needs: ["server.reachable", "s3.endpoint"],
  calls: 0,
  async run(context) {
    const skews = measureSkew(context.dates);
    if (skews.length === 0) return notApplicable("No server sent a Date header to compare this machine's clock with.");
    const worst = skews.reduce((a, b) => (Math.abs(b.skewMs) > Math.abs(a.skewMs) ? b : a));
    const summary = `This machine's clock is ${skews.map(describe).join(", and ")}`;
    const size = Math.abs(worst.skewMs);
    if (size >= CLOCK_FAIL_MS) {
      return fail(`${summary}. Beyond 15 minutes S3 refuses signed requests (RequestTimeTooSkewed), and run times are wrong.`, SYNC_HINT);
    }
    if (size >= CLOCK_WARN_MS) return warn(`${summary}. Run times will be off; beyond 15 minutes S3 refuses signed requests.`, SYNC_HINT);
    return pass(`${summary}.`);
  },
};

function describe(skew: ClockSkew): string {
  const size = Math.abs(skew.skewMs);
  if (size < CLOCK_WARN_MS) return `within ${formatDuration(Math.max(size, 1000))} of the ${skew.server}`;
  return `${formatDuration(size)} ${skew.skewMs > 0 ? "behind" : "ahead of"} the ${skew.server}`;
}

/** `65_000` → `1 min 5 s`; `3_000` → `3 s`. */
function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
