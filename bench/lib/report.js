// Renders the one table the benchmark prints (also pasted into docs/performance.md): every figure as
// the median of the runs with min-max, throughput also as a share of `raw`, then the issue's targets.

import { formatRatio, pairedRatios } from './measure.js';
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

const THROUGHPUT = [
  ['burst-1x', 'burst-1x'],
  ['burst-fanout', 'burst-fanout'],
  ['burst-fanout-ed25519', 'burst-fanout ed25519'],
  ['transform', 'transform'],
  ['ordered', 'ordered'],
  ['paced', 'paced'],
  ['backlog', 'backlog drain'],
  ['scale-1', 'scale, 1 worker'],
  ['scale-2', 'scale, 2 workers'],
  ['scale-4', 'scale, 4 workers'],
];

/** Percent of active-backend samples in a Lock or LWLock wait. */
function lockShare(waits) {
  if (!waits) return null;
  const total = Object.values(waits).reduce((a, b) => a + b, 0);
  return total === 0 ? null : (((waits.Lock ?? 0) + (waits.LWLock ?? 0)) / total) * 100;
}

/**
 * Whether hookd's backlog drain and the floor's drain are the same size: only then is their CPU per
 * delivery like for like (a larger drain spreads the scenario's fixed costs over more deliveries).
 */
const drainSizesMatch = (opts) => opts.backlogDeliveries === opts.floorDeliveries;

/** The store a target column measures ("postgres@abc123" -> "postgres"). */
const storeOf = (target) => target.split('@')[0];

export function renderReport({ results, opts, facts, command, elapsedMin, targets = [...opts.stores, ...(opts.peer ? ['peer'] : [])] }) {
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
  add('paced cold p99 ms (first seconds of a fresh process)', 'paced', (r) => r.coldP99 ?? undefined, 1);
  add('isolation: healthy p99 ms, no bad endpoint', 'isolation-baseline', (r) => r.p99, 1);
  add('isolation: healthy p99 ms, with bad endpoint', 'isolation', (r) => r.p99, 1);
  add('backlog drain deliveries/s', 'backlog', (r) => r.drainRate, 0, true);
  add('backlog time to drain s', 'backlog', (r) => r.drainSeconds, 1);
  add('backlog peak RSS MB (peer: node + redis)', 'backlog', (r) => r.peakRssMb, 0);
  add('scale 1 worker deliveries/s', 'scale-1', (r) => r.drainRate, 0, true);
  add('scale 2 workers deliveries/s', 'scale-2', (r) => r.drainRate, 0, true);
  add('scale 4 workers deliveries/s', 'scale-4', (r) => r.drainRate, 0, true);
  add('burst-fanout CPU % system (200% = machine)', 'burst-fanout', (r) => r.cpu?.system, 0);
  add('burst-fanout CPU % receiver', 'burst-fanout', (r) => r.cpu?.receiver, 0);
  add('burst-fanout ed25519 CPU % system', 'burst-fanout-ed25519', (r) => r.cpu?.system, 0);
  // CPU per delivery, from /proc (utime + stime) over the scenario's window.
  for (const [scenario, label] of THROUGHPUT) add(`${label}: system CPU us/delivery`, scenario, (r) => r.cpuUs?.system, 0);
  for (const [scenario, label] of THROUGHPUT) {
    if (!targets.some((t) => storeOf(t) === 'postgres')) break;
    add(`${label}: PostgreSQL server CPU us/delivery`, scenario, (r) => r.cpuUs?.pg, 0);
  }
  add('burst-fanout: deliveries per claim (hookd /metrics)', 'burst-fanout', (r) => r.store?.deliveriesPerClaim, 1);
  add('paced: deliveries per claim (hookd /metrics)', 'paced', (r) => r.store?.deliveriesPerClaim, 2);
  add('paced: events per publish call (store)', 'paced', (r) => (r.store?.publishesPerDelivery ? 1 / r.store.publishesPerDelivery : undefined), 2);
  add('burst-fanout: deliveries per result write', 'burst-fanout', (r) => (r.store?.resultWritesPerDelivery ? 1 / r.store.resultWritesPerDelivery : null), 1);
  for (const key of ['scale-1', 'scale-2', 'scale-4']) {
    add(`${key}: PostgreSQL connections (backends seen)`, key, (r) => r.pgBackends, 0);
    add(`${key}: active backend samples waiting on locks %`, key, (r) => lockShare(r.pgWaits), 0);
  }
  add('burst-fanout: PostgreSQL WAL bytes/delivery (server-wide)', 'burst-fanout', (r) => r.pg?.walBytesPerDelivery, 0);
  if (results.floor) {
    const floorUs = (store, pick) => figure(results, 'floor', store, pick)?.median ?? null;
    rows.push(['floor deliveries/s', ...targets.map((t) => {
      if (t === 'peer') return '-';
      const s = figure(results, 'floor', storeOf(t), (r) => r.rate);
      return `${cell(s)}${ratio(s)}`;
    })]);
    rows.push(['floor: CPU us/delivery (sender)', ...targets.map((t) => (t === 'peer' ? '-' : cell(figure(results, 'floor', storeOf(t), (r) => r.cpuUs?.system))))]);
    if (targets.some((t) => storeOf(t) === 'postgres')) rows.push(['floor: PostgreSQL server CPU us/delivery', ...targets.map((t) => (storeOf(t) === 'postgres' ? cell(figure(results, 'floor', 'postgres', (r) => r.cpuUs?.pg)) : '-'))]);
    // hookd's CPU per delivery as a multiple of the floor's on the same store (medians of the run).
    // A drain of another size than the floor's is shown but marked (drainSizesMatch).
    const sameSize = drainSizesMatch(opts);
    for (const [scenario, label] of [['burst-fanout', 'burst-fanout'], ['backlog', 'backlog drain']]) {
      if (!results[scenario]) continue;
      rows.push([`${label} CPU/delivery vs floor (system; +server on PG)`, ...targets.map((t) => {
        if (t === 'peer') return '-';
        const store = storeOf(t);
        const own = figure(results, scenario, t, (r) => r.cpuUs?.system)?.median ?? null;
        const base = floorUs(store, (r) => r.cpuUs?.system);
        if (own === null || !base) return '-';
        let text = `${(own / base).toFixed(2)}x`;
        const ownPg = figure(results, scenario, t, (r) => r.cpuUs?.pg)?.median ?? null;
        const basePg = floorUs(store, (r) => r.cpuUs?.pg);
        if (store === 'postgres' && ownPg !== null && basePg) text += `; ${((own + ownPg) / (base + basePg)).toFixed(2)}x`;
        return scenario === 'backlog' && !sameSize ? `${text} (sizes differ)` : text;
      })]);
    }
  }

  if (results['floor-thread']) {
    // SQLite only: what a store thread does to the floor (medians of the run).
    const sqliteCell = (t, pick) => (storeOf(t) === 'sqlite' ? cell(figure(results, 'floor-thread', 'sqlite', pick)) : '-');
    const ratio = (t, pick) => {
      if (storeOf(t) !== 'sqlite') return '-';
      const own = figure(results, 'floor-thread', 'sqlite', pick)?.median ?? null;
      const base = figure(results, 'floor', 'sqlite', pick)?.median ?? null;
      return own !== null && base ? `${(own / base).toFixed(2)}x` : '-';
    };
    rows.push(['floor-thread deliveries/s', ...targets.map((t) => sqliteCell(t, (r) => r.rate))]);
    rows.push(['floor-thread: CPU us/delivery (sender)', ...targets.map((t) => sqliteCell(t, (r) => r.cpuUs?.system))]);
    rows.push(['floor-thread vs floor: deliveries/s', ...targets.map((t) => ratio(t, (r) => r.rate))]);
    rows.push(['floor-thread vs floor: CPU us/delivery', ...targets.map((t) => ratio(t, (r) => r.cpuUs?.system))]);
  }

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
  const flagged = Object.entries(results).flatMap(([scenario, byTarget]) => Object.entries(byTarget).flatMap(([t, runs]) => runs.filter((r) => r.flag).map((r) => `${scenario} on ${t}: ${r.flag}`)));
  const all = Object.values(results).flatMap((byTarget) => Object.values(byTarget).flat()).filter((r) => !r.error).length;
  out.push(flagged.length === 0 ? 'No measurement was flagged: other work did not compete.' : `${flagged.length} of ${all} measurements flagged (load above the core count, or other processes using more than a third of a core), e.g. ${flagged.slice(0, 3).join('; ')}`);
  if (raw) out.push(`raw (undici Pool, ${opts.rawConnections} connections, straight to the receiver): ${cell(raw)} requests/s`);
  out.push('');
  out.push(table(rows));
  out.push('');
  out.push(targetReport(results, opts, raw));
  return out.join('\n');
}

function targetReport(results, opts, raw) {
  const lines = ['Targets (issues 9 and 18):'];
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
  // The floor (bench/floor-sender.js) claims, signs, POSTs and writes results over a queue seeded
  // before it starts: it never publishes. Its rate in the same run is therefore a ceiling for the two
  // rate targets above, which hookd must reach with publishing on the same cores.
  if (results.floor) {
    for (const store of opts.stores) {
      const floorRate = med('floor', store, (x) => x.rate);
      if (floorRate === null) continue;
      const share = pct(floorRate, raw?.median ?? null);
      const peer = pct(floorRate, med('burst-1x', 'peer', (x) => x.rate));
      const parts = [share === null ? null : `${Math.round(share * 100)}% of raw`, peer === null ? null : `${peer.toFixed(2)}x the peer's burst-1x`].filter(Boolean);
      if (parts.length > 0) lines.push(`  [ceiling] the floor on ${store} (claim, sign, POST, write results; no publishing): ${parts.join(', ')}`);
    }
  }
  for (const [store, max] of [['sqlite', 10], ['postgres', 20]]) {
    if (!opts.stores.includes(store)) continue;
    const p99 = med('paced', store, (x) => x.p99);
    // The steady state after the warm-up (scenarios.js, paced); the cold figure is shown beside it.
    const cold = med('paced', store, (x) => x.coldP99 ?? undefined);
    const coldNote = cold === null ? '' : `; cold p99 of the warm-up ${cold.toFixed(1)} ms`;
    check(`paced p99 <= ${max} ms on ${store}`, p99 === null ? null : p99 <= max, p99 === null ? 'not measured' : `${p99.toFixed(1)} ms${coldNote}`);
    const peer = med('paced', 'peer', (x) => x.p99);
    if (peer !== null) check(`paced p99 <= 1/10 of the peer's on ${store}`, p99 === null ? null : p99 <= peer / 10, p99 === null ? 'not measured' : `${p99.toFixed(1)} vs ${peer.toFixed(1)} ms`);
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
  if (results.floor && opts.stores.includes('sqlite')) {
    const floor = med('floor', 'sqlite', (x) => x.cpuUs?.system);
    for (const key of ['backlog', 'burst-fanout']) {
      const own = med(key, 'sqlite', (x) => x.cpuUs?.system);
      const r = pct(own, floor);
      // Judged only like for like (drainSizesMatch; --floor N sets the floor's size).
      const same = key !== 'backlog' || drainSizesMatch(opts);
      const sizes = same ? 'drain only, the same size: like for like' : `drain of ${num(opts.backlogDeliveries)} against the floor's ${num(opts.floorDeliveries)}: not like for like, use --floor ${opts.backlogDeliveries}`;
      if (r !== null) check(`hookd CPU per delivery <= 1.5x the floor on sqlite (${key}${key === 'backlog' ? `, ${sizes}` : ', includes publishing'})`, same ? r <= 1.5 : null, `${r.toFixed(2)}x (${Math.round(own)} vs ${Math.round(floor)} us)`);
    }
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

/** The figures compared with --against: [result key, label, pick]. Throughput ratios above 1 are better; latency and CPU ratios below 1 are. */
const COMPARED = [
  ['burst-1x', 'burst-1x deliveries/s', (r) => r.rate],
  ['burst-fanout', 'burst-fanout deliveries/s', (r) => r.rate],
  ['burst-fanout-ed25519', 'burst-fanout ed25519 deliveries/s', (r) => r.rate],
  ['transform', 'transform deliveries/s', (r) => r.rate],
  ['ordered', 'ordered deliveries/s', (r) => r.rate],
  ['paced', 'paced p99 ms', (r) => r.p99],
  ['paced', 'paced cold p99 ms (warm-up)', (r) => r.coldP99 ?? undefined],
  ['isolation-baseline', 'isolation p99 ms, no bad endpoint', (r) => r.p99],
  ['isolation', 'isolation p99 ms, with bad endpoint', (r) => r.p99],
  ['backlog', 'backlog drain deliveries/s', (r) => r.drainRate],
  ['backlog', 'backlog peak RSS MB', (r) => r.peakRssMb],
  ['scale-1', 'scale 1 worker deliveries/s', (r) => r.drainRate],
  ['scale-2', 'scale 2 workers deliveries/s', (r) => r.drainRate],
  ['scale-4', 'scale 4 workers deliveries/s', (r) => r.drainRate],
  ...THROUGHPUT.map(([key, label]) => [key, `${label}: system CPU us/delivery`, (r) => r.cpuUs?.system]),
  ...THROUGHPUT.map(([key, label]) => [key, `${label}: PostgreSQL server CPU us/delivery`, (r) => r.cpuUs?.pg]),
];

/** --against: per figure and store, current / reference pair by pair (run i of each), median and range. */
export function renderComparison({ results, opts, against }) {
  const rows = [['figure: current / ' + against.short, ...opts.stores]];
  for (const [key, label, pick] of COMPARED) {
    if (!results[key]) continue;
    const cells = opts.stores.map((store) => {
      const cur = (results[key][store] ?? []).map((r) => (r.error ? null : pick(r) ?? null));
      const ref = (results[key][`${store}@${against.short}`] ?? []).map((r) => (r.error ? null : pick(r) ?? null));
      if (cur.every((v) => v === null) && ref.every((v) => v === null)) return '-';
      return formatRatio(pairedRatios(cur, ref).summary);
    });
    if (cells.every((c) => c === '-')) continue;
    rows.push([label, ...cells]);
  }
  const targets = ['Targets (issue 18) from this comparison:'];
  const ratioOf = (key, store, pick) => pairedRatios((results[key]?.[store] ?? []).map((r) => (r.error ? null : pick(r) ?? null)), (results[key]?.[`${store}@${against.short}`] ?? []).map((r) => (r.error ? null : pick(r) ?? null))).summary;
  for (const key of ['burst-fanout', 'burst-1x', 'backlog']) {
    const s = opts.stores.includes('postgres') ? ratioOf(key, 'postgres', (r) => r.cpuUs?.pg) : null;
    if (s) targets.push(`  [${s.median <= 0.5 ? ' met ' : ' NOT '}] PostgreSQL server CPU per delivery <= 0.5x ${against.short} (${key}): ${formatRatio(s)}`);
  }
  return [`Compared with --against ${against.ref} (${against.sha.slice(0, 10)}), built in a scratch worktree: current / reference, run i of each taken back to back (order alternating by run); median (range, pairs).`, 'Throughput: above 1.00x is faster. Latency, RSS and CPU per delivery: below 1.00x is better.', '', table(rows), '', ...targets].join('\n');
}
