/**
 * The checks of a promotion gate, pure and CLI-independent: parsing `--metric` and `--threshold`
 * specs, and deciding whether a candidate's value is "not worse" than a baseline's. It lives here,
 * not in cli/, so that a job can gate from code with the same rules the `mlflow-ts gate` command
 * applies, and so the edges (exactly at the tolerance, NaN, ±Infinity, a missing value) are tested
 * without a server.
 */
import { ValidationError } from "../../core/errors.js";
import { validateKey } from "../../protocol/validation.js";

/** Which way is better: `max` (higher is better, e.g. accuracy) or `min` (lower is better, e.g. latency). */
export type GateDirection = "max" | "min";

/** How much worse than the baseline the candidate may be: an amount, or a percentage of the baseline. */
export interface GateTolerance {
  /** The amount (absolute), or the percentage of |baseline| (relative); ≥ 0. */
  value: number;
  /** True for `%` tolerances. */
  relative: boolean;
}

/** `--metric <key>:<max|min>[:<tolerance>[%]]`: compare the candidate with the baseline on `key`. */
export interface GateMetricSpec {
  key: string;
  direction: GateDirection;
  tolerance: GateTolerance;
}

/** `--threshold <key>>=<bound>` or `<key><=<bound>`: an absolute bound, no baseline needed. */
export interface GateThresholdSpec {
  key: string;
  operator: ">=" | "<=";
  bound: number;
}

/** The outcome of one check. */
export interface GateCheckResult {
  /** The metric key. */
  key: string;
  /** `compare` (against the baseline) or `threshold` (against a bound). */
  kind: "compare" | "threshold";
  /** `max` or `min`; a threshold's `>=` reads as `max`, `<=` as `min`. */
  direction: GateDirection;
  /** The tolerance as given (`0.005`, `0.5%`), or the threshold (`>= 0.9`). */
  rule: string;
  /** The baseline's value (or the threshold's bound); undefined when the baseline lacks the metric. */
  baseline: number | undefined;
  /** The candidate's value; undefined when the candidate lacks the metric. */
  candidate: number | undefined;
  /** `candidate − baseline`; undefined when either is missing or the difference is undefined (∞ − ∞). */
  delta: number | undefined;
  /** Whether the check passed. */
  passed: boolean;
  /** One line saying why, e.g. "worse by 0.006, more than the tolerance 0.005". */
  reason: string;
}

/** What {@link compareMetric} and {@link checkThreshold} are allowed to overlook. */
export interface GateCheckOptions {
  /** A metric the baseline lacks (or holds as NaN) passes instead of failing. @defaultValue false */
  allowMissingBaseline?: boolean | undefined;
  /** There is no baseline at all (the first model, `--bootstrap`): comparisons pass. @defaultValue false */
  bootstrap?: boolean | undefined;
}

/**
 * Relative rounding slack of a comparison: 0.9 − 0.895 is 0.0050000000000000044 in binary floating
 * point, and a candidate exactly at the tolerance must pass.
 */
const ROUNDING_SLACK = 1e-12;
const DIRECTIONS: ReadonlySet<string> = new Set(["max", "min"]);
const METRIC_FORM = "<key>:<max|min>[:<tolerance>[%]], e.g. val/accuracy:max:0.005, latency_ms:min or loss:min:2%";
const THRESHOLD_FORM = "<key>>=<number> or <key><=<number>, e.g. val/accuracy>=0.9";

/**
 * Parses `<key>:<max|min>[:<tolerance>[%]]`. MLflow keys may contain `:`, so it is read from the
 * right: the last field is the direction, or the tolerance after the direction.
 *
 * @throws {ValidationError} (rule `gate-metric`) naming the spec, the form and an example; or the key rule it breaks.
 * @example
 * parseMetricSpec("val/accuracy:max:0.005"); // { key: "val/accuracy", direction: "max", tolerance: { value: 0.005, relative: false } }
 * parseMetricSpec("eval:f1:max:1%");         // key "eval:f1", 1 % of the baseline
 */
export function parseMetricSpec(spec: string): GateMetricSpec {
  const fields = spec.split(":");
  const last = fields.at(-1) ?? "";
  let key: string;
  let direction: string;
  let tolerance: GateTolerance = { value: 0, relative: false };
  if (DIRECTIONS.has(last)) {
    key = fields.slice(0, -1).join(":");
    direction = last;
  } else if (fields.length >= 3 && DIRECTIONS.has(fields.at(-2) ?? "")) {
    key = fields.slice(0, -2).join(":");
    direction = fields.at(-2)!;
    tolerance = parseTolerance(spec, last);
  } else {
    throw new ValidationError(spec, "gate-metric", `--metric "${spec}" has no direction (max or min). Fix: write it as ${METRIC_FORM}.`);
  }
  if (key === "") throw new ValidationError(spec, "gate-metric", `--metric "${spec}" names no metric. Fix: write it as ${METRIC_FORM}.`);
  validateKey(key, "metric");
  return { key, direction: direction as GateDirection, tolerance };
}

function parseTolerance(spec: string, text: string): GateTolerance {
  const relative = text.endsWith("%");
  const number = relative ? text.slice(0, -1) : text;
  const value = number.trim() === "" ? Number.NaN : Number(number);
  if (!Number.isFinite(value) || value < 0)
    throw new ValidationError(
      spec,
      "gate-metric",
      `--metric "${spec}": the tolerance "${text}" is not a number ≥ 0 (an amount, or a percentage with %). Fix: write it as ${METRIC_FORM}.`,
    );
  return { value, relative };
}

/**
 * Parses `<key>>=<bound>` or `<key><=<bound>`. `<`, `>` and `=` are never part of an MLflow key, so
 * the first `>=` or `<=` splits it.
 *
 * @throws {ValidationError} (rule `gate-threshold`) naming the spec, the form and an example.
 * @example
 * parseThresholdSpec("val/accuracy>=0.9"); // { key: "val/accuracy", operator: ">=", bound: 0.9 }
 */
export function parseThresholdSpec(spec: string): GateThresholdSpec {
  const match = /^(.*?)(>=|<=)(.*)$/s.exec(spec);
  const bound = match && match[3]!.trim() !== "" ? Number(match[3]) : Number.NaN;
  if (!match || match[1] === "" || !Number.isFinite(bound))
    throw new ValidationError(spec, "gate-threshold", `--threshold "${spec}" is not a key, >= or <=, and a finite number. Fix: write it as ${THRESHOLD_FORM}.`);
  validateKey(match[1], "metric");
  return { key: match[1]!, operator: match[2] as ">=" | "<=", bound };
}

/**
 * A tolerance as written: `0.005` or `0.5%`.
 * @example
 * formatTolerance({ value: 0.5, relative: true }); // "0.5%"
 */
export function formatTolerance(tolerance: GateTolerance): string {
  return tolerance.relative ? `${tolerance.value}%` : String(tolerance.value);
}

/**
 * Whether the candidate is not worse than the baseline by more than the tolerance. Exactly at the
 * tolerance passes (up to floating-point rounding); a relative tolerance is a percentage of
 * |baseline|. A missing or NaN candidate fails; a missing or NaN baseline fails unless
 * `allowMissingBaseline`; infinities compare as numbers (`max` against −∞ always passes, against
 * +∞ only +∞ does).
 *
 * @example
 * compareMetric(parseMetricSpec("acc:max:0.005"), 0.9, 0.895).passed; // true: exactly at the tolerance
 */
export function compareMetric(
  spec: GateMetricSpec,
  baseline: number | undefined,
  candidate: number | undefined,
  options: GateCheckOptions = {},
): GateCheckResult {
  const base = { key: spec.key, kind: "compare" as const, direction: spec.direction, rule: formatTolerance(spec.tolerance), baseline, candidate };
  const delta = baseline === undefined || candidate === undefined || Number.isNaN(candidate - baseline) ? undefined : candidate - baseline;
  const result = (passed: boolean, reason: string): GateCheckResult => ({ ...base, delta, passed, reason });
  if (candidate === undefined) return result(false, "the candidate has no such metric");
  if (Number.isNaN(candidate)) return result(false, "the candidate's value is NaN");
  if (options.bootstrap) return result(true, "no baseline yet (bootstrap)");
  if (baseline === undefined || Number.isNaN(baseline)) {
    const what = baseline === undefined ? "the baseline has no such metric" : "the baseline's value is NaN";
    return options.allowMissingBaseline ? result(true, `${what} (allowed)`) : result(false, `${what}; Fix: --allow-missing-baseline to accept it`);
  }
  if (candidate === baseline) return result(true, "equal to the baseline");
  const worse = spec.direction === "max" ? baseline - candidate : candidate - baseline;
  if (worse <= 0) return result(true, "not worse than the baseline");
  const allowed = !Number.isFinite(baseline) ? 0 : spec.tolerance.relative ? (Math.abs(baseline) * spec.tolerance.value) / 100 : spec.tolerance.value;
  const slack = Number.isFinite(worse) ? ROUNDING_SLACK * Math.max(1, Math.abs(baseline), Math.abs(candidate), allowed) : 0;
  return worse <= allowed + slack
    ? result(true, `worse by ${worse}, within the tolerance ${base.rule}`)
    : result(false, `worse by ${worse}, more than the tolerance ${base.rule}`);
}

/**
 * Whether the candidate's value is within an absolute bound (`>=` or `<=`, the bound included).
 *
 * @example
 * checkThreshold(parseThresholdSpec("acc>=0.9"), 0.91).passed; // true
 */
export function checkThreshold(spec: GateThresholdSpec, candidate: number | undefined): GateCheckResult {
  const direction: GateDirection = spec.operator === ">=" ? "max" : "min";
  const base = { key: spec.key, kind: "threshold" as const, direction, rule: `${spec.operator} ${spec.bound}`, baseline: spec.bound, candidate };
  const delta = candidate === undefined || Number.isNaN(candidate) ? undefined : candidate - spec.bound;
  if (candidate === undefined) return { ...base, delta, passed: false, reason: "the candidate has no such metric" };
  if (Number.isNaN(candidate)) return { ...base, delta, passed: false, reason: "the candidate's value is NaN" };
  const passed = spec.operator === ">=" ? candidate >= spec.bound : candidate <= spec.bound;
  return { ...base, delta, passed, reason: passed ? `${spec.operator} ${spec.bound}` : `not ${spec.operator} ${spec.bound}` };
}
