/**
 * The last line a benchmark prints, after its tables: one JSON object with its headline figures, so
 * that scripts/bench-compare.sh can run the same benchmark in two trees (a base commit and the work
 * on top of it) and put the figures side by side. Each figure says which direction is better.
 *
 *   {"bench":"logger-hot-path","metrics":{"callsPerSecond":{"value":12500000,"better":"higher"},…}}
 */

/** One headline figure; its unit is in its name (`callsPerSecond`, `p99Ns`, `peakRssMiB`). */
export interface BenchMetric {
  value: number;
  better: "higher" | "lower";
}

/** Prints the result line; call it last, after every table (the reader takes the last stdout line). */
export function printResultLine(bench: string, metrics: Record<string, BenchMetric>): void {
  console.log(JSON.stringify({ bench, metrics }));
}
