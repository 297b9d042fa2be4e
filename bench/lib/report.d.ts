// Types for bench/lib/report.js (plain JavaScript like the rest of bench/), so the TypeScript test
// of the report (test/bench-report.test.ts) type-checks. The results are the benchmark's own JSON
// (bench/out/results-*.json): per scenario, per target, one object per run.

export type RunFigures = Record<string, unknown>;
export type Results = Record<string, Record<string, RunFigures[]>>;

export interface ReportInput {
  results: Results;
  opts: Record<string, unknown> & { stores: string[]; peer: boolean; backlogDeliveries: number; floorDeliveries: number };
  facts: Record<string, unknown>;
  command: string;
  elapsedMin: number;
  targets?: string[];
}

export declare function renderReport(input: ReportInput): string;
export declare function renderComparison(input: { results: Results; opts: ReportInput['opts']; against: { ref: string; sha: string; short: string } }): string;
