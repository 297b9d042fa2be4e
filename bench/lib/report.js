// Renders the one table the benchmark prints (also pasted into docs/performance.md): every figure as
// the median of the runs with min-max, throughput also as a share of `raw`, then the issue's targets.

import { spread } from './stats.js';

const num = (v, digits = 0) => (v === null || v === undefined ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

function cell(s, digits = 0) {
  if (!s) return '-';
  return s.n > 1 ? `${num(s.median, digits)} (${num(s.min, digits)}-${num(s.max, digits)})` : num(s.median, digits);
}

function figure(results, scenario, target, pick) {
  const runs = results[scenario]?.[target] ?? [];
  return spread(runs.filter((r) => !r.error).map(pick));
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((v, c) => String(v).padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

export function renderReport({ results, opts, facts, command, elapsedMin }) {
  const targets = [...opts.stores, ...(opts.peer ? ['peer'] : [])];
  const raw = figure(results, 'raw', 'raw', (r) => r.rate);
  const ratio = (s) => (s && raw ? ` = ${Math.round((s.median / raw.median) * 100)}% raw` : '');
  const rows = [['figure', ...targets]];
  const add = (label, scenario, pick, digits = 0, withRatio = false) => {
    if (!results[scenario]) return;
    rows.push([label, ...targets.map((t) => {
      const s = figure(results, scenario, t, pick);
      return `${cell(s, digits)}${withRatio ? ratio(s) : ''}`;
    })]);
  };
  add('burst-1x deliveries/s', 'burst-1x', (r) => r.rate, 0, true);
  add('burst-fanout deliveries/s', 'burst-fanout', (r) => r.rate, 0, true);
  add('burst-fanout ed25519 deliveries/s', 'burst-fanout-ed25519', (r) => r.rate, 0, true);
  if (results['burst-fanout-ed25519'] && results['burst-fanout']) {
    rows.push(['burst-fanout ed25519 / HMAC (same run)', ...targets.map((t) => {
      const ed = figure(results, 'burst-fanout-ed25519', t, (r) => r.rate);
      const hmac = figure(results, 'burst-fanout', t, (r) => r.rate);
      return ed && hmac ? `${Math.round((ed.median / hmac.median) * 100)}%` : '-';
    })]);
  }
  add('transform deliveries/s', 'transform', (r) => r.rate, 0, true);
  if (results.transform && results['burst-fanout']) {
    rows.push(['transform / burst-fanout without (same run)', ...targets.map((t) => {
      const tr = figure(results, 'transform', t, (r) => r.rate);
      const plain = figure(results, 'burst-fanout', t, (r) => r.rate);
      return tr && plain ? `${Math.round((tr.median / plain.median) * 100)}%` : '-';
    })]);
  }
  add('ordered (1,000 keys) deliveries/s', 'ordered', (r) => r.rate, 0, true);
  if (results.ordered && results['burst-fanout']) {
    rows.push(['ordered / burst-fanout (same run)', ...targets.map((t) => {
      const ordered = figure(results, 'ordered', t, (r) => r.rate);
      const plain = figure(results, 'burst-fanout', t, (r) => r.rate);
      return ordered && plain ? `${Math.round((ordered.median / plain.median) * 100)}%` : '-';
    })]);
  }
  add('paced p50 ms', 'paced', (r) => r.p50, 1);
  add('paced p99 ms', 'paced', (r) => r.p99, 1);
  add('paced max ms', 'paced', (r) => r.max, 1);
  add('isolation: healthy p99 ms, no bad endpoint', 'isolation-baseline', (r) => r.p99, 1);
  add('isolation: healthy p99 ms, with bad endpoint', 'isolation', (r) => r.p99, 1);
  add('backlog drain deliveries/s', 'backlog', (r) => r.drainRate, 0, true);
  add('backlog time to drain s', 'backlog', (r) => r.drainSeconds, 1);
  add('backlog peak RSS MB (peer: node + redis)', 'backlog', (r) => r.peakRssMb, 0);
  add('burst-fanout CPU % system (200% = machine)', 'burst-fanout', (r) => r.cpu?.system, 0);
  add('burst-fanout CPU % receiver', 'burst-fanout', (r) => r.cpu?.receiver, 0);
  add('burst-fanout ed25519 CPU % system', 'burst-fanout-ed25519', (r) => r.cpu?.system, 0);

  // Integrity over every scenario and run.
  const totals = Object.fromEntries(targets.map((t) => [t, { lost: 0, duplicates: 0, failed: 0 }]));
  for (const byTarget of Object.values(results)) {
    for (const [t, runs] of Object.entries(byTarget)) {
      if (!totals[t]) continue;
      for (const r of runs) {
        if (r.error) totals[t].failed++;
        else {
          totals[t].lost += r.lost;
          totals[t].duplicates += r.duplicates;
        }
      }
    }
  }
  rows.push(['lost / duplicate deliveries (all runs)', ...targets.map((t) => `${totals[t].lost} / ${totals[t].duplicates}${totals[t].failed ? ` (${totals[t].failed} runs failed)` : ''}`)]);

  const out = [];
  out.push(`hookd benchmark: ${command}`);
  out.push(`${facts.date}  nproc ${facts.nproc} (${facts.cpu}), ${facts.memoryGb} GB, Node ${facts.node}, ${facts.postgres}, ${facts.redis}`);
  out.push(`runs per figure: ${opts.runs}; publish: ${opts.publish === 'batch' ? `POST batch route, ${opts.batchSize} events per request, 2 in flight` : 'single POSTs, 64 in flight'}; elapsed ${elapsedMin.toFixed(1)} min`);
  out.push('All processes (load generator, receiver, system under test, its database) share the same cores.');
  const loads = spread(Object.values(results).flatMap((byTarget) => Object.values(byTarget).flat()).map((r) => r.loadAvg));
  if (loads) out.push(`1-min load average at the end of each scenario: median ${loads.median.toFixed(1)} (${loads.min.toFixed(1)}-${loads.max.toFixed(1)}); above ${facts.nproc} means other work competed for the CPU.`);
  if (raw) out.push(`raw (undici Pool, ${opts.rawConnections} connections, straight to the receiver): ${cell(raw)} requests/s`);
  out.push('');
  out.push(table(rows));
  out.push('');
  out.push(targetReport(results, opts, raw));
  return out.join('\n');
}

function targetReport(results, opts, raw) {
  const lines = ['Targets (issue 9):'];
  const check = (label, ok, detail) => lines.push(`  [${ok === null ? ' n/a ' : ok ? ' met ' : ' NOT '}] ${label}: ${detail}`);
  const med = (scenario, target, pick) => figure(results, scenario, target, pick)?.median ?? null;
  const pct = (a, b) => (a === null || b === null ? null : a / b);
  for (const [store, min] of [['sqlite', 0.5], ['postgres', 0.4]]) {
    if (!opts.stores.includes(store)) continue;
    const r = pct(med('burst-fanout', store, (x) => x.rate), raw?.median ?? null);
    check(`burst-fanout >= ${min * 100}% of raw on ${store}`, r === null ? null : r >= min, r === null ? 'not measured' : `${Math.round(r * 100)}%`);
  }
  for (const store of opts.stores) {
    const r = pct(med('burst-1x', store, (x) => x.rate), med('burst-1x', 'peer', (x) => x.rate));
    check(`burst-1x >= 3x peer on ${store}`, r === null ? null : r >= 3, r === null ? 'not measured' : `${r.toFixed(2)}x`);
  }
  for (const [store, max] of [['sqlite', 10], ['postgres', 20]]) {
    if (!opts.stores.includes(store)) continue;
    const p99 = med('paced', store, (x) => x.p99);
    check(`paced p99 <= ${max} ms on ${store}`, p99 === null ? null : p99 <= max, p99 === null ? 'not measured' : `${p99.toFixed(1)} ms`);
  }
  for (const store of opts.stores) {
    const base = med('isolation-baseline', store, (x) => x.p99);
    const bad = med('isolation', store, (x) => x.p99);
    const r = pct(bad, base);
    check(`isolation healthy p99 within 20% on ${store}`, r === null ? null : r <= 1.2, r === null ? 'not measured' : `${bad.toFixed(1)} vs ${base.toFixed(1)} ms (${r >= 1 ? '+' : ''}${Math.round((r - 1) * 100)}%)`);
  }
  for (const store of opts.stores) {
    const rss = med('backlog', store, (x) => x.peakRssMb);
    check(`backlog RSS < 300 MB on ${store} (${opts.backlogDeliveries.toLocaleString('en-US')} pending)`, rss === null ? null : rss < 300, rss === null ? 'not measured' : `${Math.round(rss)} MB`);
    const r = pct(med('backlog', store, (x) => x.drainRate), med('burst-fanout', store, (x) => x.rate));
    check(`backlog drain within 20% of burst-fanout on ${store}`, r === null ? null : r >= 0.8, r === null ? 'not measured' : `${Math.round(r * 100)}%`);
  }
  let lost = 0;
  let dup = 0;
  for (const byTarget of Object.values(results)) {
    for (const [t, runs] of Object.entries(byTarget)) {
      if (t === 'peer') continue;
      for (const r of runs.filter((x) => !x.error)) {
        lost += r.lost;
        dup += r.duplicates;
      }
    }
  }
  check('nothing lost, no duplicate (hookd and raw, all scenarios)', lost === 0 && dup === 0, `${lost} lost, ${dup} duplicates`);
  return lines.join('\n');
}
