// Types for bench/lib/measure.js (plain JavaScript like the rest of bench/), so the TypeScript test
// of its pure parts (test/bench-measure.test.ts) type-checks.

export declare const CLOCK_TICKS: number;
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}
export interface TcpRow {
  localPort: number;
  remotePort: number;
  established: boolean;
  inode: string;
}
export declare function parseProcessStat(text: string): number | null;
export declare function parseMachineStat(text: string): { busy: number; total: number; steal: number } | null;
export declare function parseLoadavg(text: string): { one: number; five: number; fifteen: number } | null;
export declare function parseTcpTable(text: string): TcpRow[];
export declare function socketInodes(linkTargets: Iterable<string>): Set<string>;
export declare function clientPortsTo(serverPort: number, tcpRows: readonly TcpRow[], inodes: Set<string>): number[];
export declare function summarise(values: ReadonlyArray<number | null | undefined>): Summary | null;
export declare function pairedRatios(
  current: ReadonlyArray<number | null | undefined>,
  reference: ReadonlyArray<number | null | undefined>,
): { ratios: number[]; summary: Summary | null };
export declare function formatRatio(summary: Summary | null, digits?: number): string;
export declare function cpuPerDeliveryUs(cpuSeconds: number | null | undefined, deliveries: number): number | null;
export declare function competition(input: { loadBefore: number | null; loadAfter: number | null; nproc: number; otherCores: number | null }): string | null;
