// The benchmark's report (bench/lib/report.js) from synthetic results: the floor as a ceiling of the
// rate targets, and the drain-only floor target compared only between drains of the same size.
// Behaviour only: nothing here runs or times anything.

import { describe, expect, it } from 'vitest';
import { renderReport } from '../bench/lib/report.js';

const run = (figures: Record<string, unknown>) => ({ lost: 0, duplicates: 0, loadAvg: 1, ...figures });

function report(floorDeliveries: number, drainCpuUs = 160): string {
  const results = {
    raw: { raw: [run({ rate: 10_000 })] },
    floor: {
      sqlite: [run({ rate: 8_000, cpuUs: { system: 100 } })],
      postgres: [run({ rate: 5_000, cpuUs: { system: 120, pg: 80 } })],
    },
    'burst-1x': { peer: [run({ rate: 2_500 })] },
    backlog: { sqlite: [run({ drainRate: 6_000, peakRssMb: 250, cpuUs: { system: drainCpuUs } })] },
  };
  const opts = { stores: ['sqlite', 'postgres'], peer: true, runs: 1, publish: 'batch', batchSize: 500, rawConnections: 32, backlogDeliveries: 1_000_000, floorDeliveries };
  const facts = { date: '2026-12-07T00:00:00Z', nproc: 2, cpu: 'test', memoryGb: 1, node: 'v20', postgres: 'pg', redis: 'redis' };
  return renderReport({ results, opts, facts, command: 'test', elapsedMin: 0 });
}

describe('bench report', () => {
  it("prints the floor's rate as a share of raw and, per store, as a ceiling against the peer's burst-1x", () => {
    const out = report(20_000);
    expect(out).toMatch(/\| floor deliveries\/s +\| 8,000 = 80% raw +\| 5,000 = 50% raw +\| - +\|/);
    expect(out).toContain("[ceiling] the floor on sqlite (claim, sign, POST, write results; no publishing): 80% of raw, 3.20x the peer's burst-1x");
    expect(out).toContain("[ceiling] the floor on postgres (claim, sign, POST, write results; no publishing): 50% of raw, 2.00x the peer's burst-1x");
  });

  it('leaves the drain-only floor target unjudged when the backlog and the floor differ in size, and marks the table row', () => {
    expect(report(20_000)).toMatch(/\| backlog drain CPU\/delivery vs floor \(system; \+server on PG\) +\| 1\.60x \(sizes differ\) +\|/);
    expect(report(1_000_000)).toMatch(/\| backlog drain CPU\/delivery vs floor \(system; \+server on PG\) +\| 1\.60x +\|/);
    expect(report(20_000)).toContain(
      "[ n/a ] hookd CPU per delivery <= 1.5x the floor on sqlite (backlog, drain of 1,000,000 against the floor's 20,000: not like for like, use --floor 1000000): 1.60x (160 vs 100 us)",
    );
  });

  it('judges the drain-only floor target when both drains are the same size', () => {
    expect(report(1_000_000)).toContain('[ NOT ] hookd CPU per delivery <= 1.5x the floor on sqlite (backlog, drain only, the same size: like for like): 1.60x (160 vs 100 us)');
    expect(report(1_000_000, 140)).toContain('[ met ] hookd CPU per delivery <= 1.5x the floor on sqlite (backlog, drain only, the same size: like for like): 1.40x (140 vs 100 us)');
  });
});
