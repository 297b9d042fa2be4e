// `npm run bench`: the reproducible benchmark of issue 9. Starts one receiver process and one load
// generator process, then for each run and scenario starts the system under test fresh (hookd on
// SQLite, hookd on PostgreSQL in its own schema, the BullMQ peer with a private Redis) and measures
// it. The same receiver is hammered by a plain undici Pool (`raw`) in the same run: the yardstick
// every throughput figure is divided by. Prints one table (median, min-max over the runs) and
// writes everything to bench/out/results-<time>.json. See docs/performance.md.
//
//   node bench/run.js [--quick] [--runs N] [--scenario NAME[,NAME]] [--store sqlite|postgres]
//                     [--no-peer] [--profile] [--profile-scenario NAME] [--publish batch|single] [--backlog N] [--floor N] [--against REF]
//
// --against REF builds REF in a scratch worktree (bench/lib/against.js) and runs every hookd scenario
// on both builds, back to back in each run (A B in odd runs, B A in even ones, so a machine that
// slows down during the run does not favour either), then prints current/REF pair by pair.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { prepareAgainst } from './lib/against.js';
import { ROOT } from './lib/hookd-server.js';
import { forkWorker } from './lib/procs.js';
import { SCENARIOS, SCENARIO_NAMES } from './lib/scenarios.js';
import { hookdTarget, peerTarget } from './lib/targets.js';
import { renderComparison, renderReport } from './lib/report.js';

const HERE = new URL('./', import.meta.url);
const OUT = fileURLToPath(new URL('out/', HERE));

function parseArgs(argv) {
  const opts = {
    runs: 3,
    scenarios: [...SCENARIO_NAMES],
    stores: ['sqlite', 'postgres'],
    peer: true,
    profile: false,
    profileScenario: 'burst-fanout',
    publish: 'batch',
    batchSize: 500,
    burstEvents: 20_000,
    fanoutEvents: 2_000,
    pacedRate: 1000,
    pacedSeconds: 10,
    pacedWarmupSeconds: 3,
    isolationRate: 500,
    isolationSeconds: 8,
    backlogDeliveries: 100_000,
    floorDeliveries: 20_000,
    scaleDeliveries: 40_000,
    against: null,
    rawRequests: 60_000,
    rawConnections: 32,
    maxConcurrency: 64,
  };
  const value = (i) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) usage(`${argv[i]} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') {
      opts.runs = 1;
      opts.scaleDeliveries = 20_000;
    } else if (a === '--against') opts.against = value(i++);
    else if (a === '--runs') opts.runs = positive(value(i++), a);
    else if (a === '--scenario') {
      const names = value(i++).split(',');
      for (const n of names) if (!SCENARIO_NAMES.includes(n) && n !== 'peer') usage(`unknown scenario ${n} (one of ${SCENARIO_NAMES.join(', ')}, peer)`);
      // `peer` alone means: every scenario, against the peer only.
      if (names.includes('peer')) opts.onlyPeer = true;
      opts.scenarios = names.includes('peer') && names.length === 1 ? [...SCENARIO_NAMES] : names.filter((n) => n !== 'peer');
    } else if (a === '--store') {
      const s = value(i++);
      if (s !== 'sqlite' && s !== 'postgres') usage('--store is sqlite or postgres');
      opts.stores = [s];
    } else if (a === '--no-peer') opts.peer = false;
    else if (a === '--profile') opts.profile = true;
    else if (a === '--profile-scenario') {
      // Which scenario the profiling run repeats (burst-fanout unless told); implies --profile.
      opts.profile = true;
      opts.profileScenario = value(i++);
      if (!SCENARIO_NAMES.includes(opts.profileScenario) || ['raw', 'floor', 'floor-thread', 'isolation', 'backlog', 'scale'].includes(opts.profileScenario)) usage(`--profile-scenario takes a hookd throughput or latency scenario, not ${opts.profileScenario}`);
    } else if (a === '--publish') {
      opts.publish = value(i++);
      if (opts.publish !== 'batch' && opts.publish !== 'single') usage('--publish is batch or single');
    } else if (a === '--backlog') opts.backlogDeliveries = positive(value(i++), a);
    // The floor's queue size: set it to the backlog's to compare a drain of the same size.
    else if (a === '--floor') opts.floorDeliveries = positive(value(i++), a);
    else if (a === '--paced-warmup') {
      opts.pacedWarmupSeconds = Number(value(i++));
      if (!Number.isFinite(opts.pacedWarmupSeconds) || opts.pacedWarmupSeconds < 0) usage('--paced-warmup is a number of seconds, 0 or more');
    }
    else if (a === '--max-concurrency') opts.maxConcurrency = positive(value(i++), a);
    else if (a === '--raw-connections') opts.rawConnections = positive(value(i++), a);
    else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  if (opts.onlyPeer) opts.stores = [];
  return opts;
}

function positive(v, name) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) usage(`${name} needs a positive integer`);
  return n;
}

function usage(problem) {
  if (problem) process.stderr.write(`${problem}\n`);
  process.stderr.write('usage: node bench/run.js [--quick] [--runs N] [--scenario raw,floor,floor-thread,burst-1x,burst-fanout,burst-fanout-ed25519,transform,ordered,paced,isolation,backlog,scale,peer] [--store sqlite|postgres] [--no-peer] [--profile] [--profile-scenario NAME] [--publish batch|single] [--backlog N] [--floor N] [--paced-warmup S] [--max-concurrency N] [--raw-connections N] [--against GIT-REF]\n');
  process.exit(problem ? 2 : 0);
}

function machineFacts() {
  const sh = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString(),
    nproc: sh('nproc', []),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: os.release(),
    postgres: sh('psql', ['--version']),
    redis: sh('redis-server', ['--version']).split(' ').slice(0, 3).join(' '),
  };
}

const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const facts = machineFacts();
  mkdirSync(OUT, { recursive: true });
  const profileDir = opts.profile ? fileURLToPath(new URL(`out/profiles-${Date.now()}/`, HERE)) : null;
  log(`${command}  (runs: ${opts.runs}; ${facts.nproc} cores shared by every process)`);

  const receiverProc = forkWorker(fileURLToPath(new URL('lib/receiver.js', HERE)));
  const loadgen = forkWorker(fileURLToPath(new URL('lib/loadgen.js', HERE)));
  const { port, blackholePort } = await receiverProc.ready();
  await loadgen.ready();
  const env = { receiver: { rpc: receiverProc, pid: receiverProc.pid, port, blackholePort }, loadgen, opts };

  const against = opts.against ? prepareAgainst(ROOT, opts.against, log) : null;
  // Per store: the current build and, with --against, the reference build (run as a pair).
  const pairs = opts.stores.map((store) => [hookdTarget(store), ...(against ? [hookdTarget(store, { root: against.root, label: against.short })] : [])]);
  const peer = opts.peer ? peerTarget() : null;
  /** results[scenario][target] = array of per-run figures */
  const results = {};
  // Other work on the machine changes every figure; each result records the 1-minute load average
  // when its scenario ended (on 2 cores, anything above ~2 means processes were waiting for CPU) and
  // the meter's competition flag.
  const keep = (scenario, target, figures) => {
    figures.loadAvg = os.loadavg()[0];
    if (figures.flag) log(`  ${scenario} on ${target}: ${figures.flag}`);
    results[scenario] ??= {};
    (results[scenario][target] ??= []).push(figures);
  };
  const measure = async (def, scenario, target, run) => {
    const variants = def.variants ?? (scenario === 'isolation' ? [{ key: 'isolation-baseline', withBad: false }, { key: 'isolation', withBad: true }] : [{ key: scenario }]);
    for (const variant of variants) {
      log(`run ${run}/${opts.runs} ${variant.key} on ${target.name}`);
      let sys;
      try {
        sys = await target.start({ paused: scenario === 'backlog' || def.paused === true });
        keep(variant.key, target.name, await def.run(sys, env, variant));
      } catch (err) {
        log(`  failed: ${err.stack ?? err}`);
        keep(variant.key, target.name, { error: String(err.message ?? err) });
      } finally {
        await sys?.stop().catch((err) => log(`  stop failed: ${err}`));
      }
    }
  };
  const started = Date.now();
  try {
    for (let run = 1; run <= opts.runs; run++) {
      for (const scenario of opts.scenarios) {
        const def = SCENARIOS[scenario];
        if (scenario === 'raw') {
          log(`run ${run}/${opts.runs} raw`);
          keep('raw', 'raw', await def.run(null, env));
          continue;
        }
        if (def.yardstick) {
          for (const store of opts.stores) {
            if (def.sqliteOnly && store !== 'sqlite') continue;
            log(`run ${run}/${opts.runs} ${scenario} on ${store}`);
            try {
              keep(scenario, store, await def.run(store, env));
            } catch (err) {
              log(`  failed: ${err.stack ?? err}`);
              keep(scenario, store, { error: String(err.message ?? err) });
            }
          }
          continue;
        }
        for (const pair of pairs) {
          if (def.postgresOnly && pair[0].store !== 'postgres') continue;
          for (const target of run % 2 === 1 ? pair : [...pair].reverse()) await measure(def, scenario, target, run);
        }
        if (peer && !def.hookdOnly) await measure(def, scenario, peer, run);
      }
    }
    if (profileDir) {
      // With --against, the reference build is profiled too (into <store>@<sha>): before and after.
      for (const target of pairs.flat()) {
        const dir = `${profileDir}${target.name}`;
        log(`profiling ${opts.profileScenario} on ${target.name} (--cpu-prof into ${dir})`);
        const sys = await hookdTarget(target.store, { cpuProfDir: dir, root: target.name.includes('@') ? against.root : ROOT, label: target.name.includes('@') ? against.short : null }).start();
        try {
          keep(`profile-${opts.profileScenario}`, target.name, await SCENARIOS[opts.profileScenario].run(sys, env));
        } finally {
          await sys.stop();
        }
      }
    }
  } finally {
    against?.cleanup();
    await loadgen.call('close').catch(() => undefined);
    await loadgen.stop();
    await receiverProc.stop();
  }

  const elapsedMin = (Date.now() - started) / 60_000;
  const targetNames = [...pairs.flat().map((t) => t.name), ...(peer ? ['peer'] : [])];
  let report = renderReport({ results, opts, facts, command, elapsedMin, targets: targetNames });
  if (against) report += `\n\n${renderComparison({ results, opts, against })}`;
  const file = `${OUT}results-${facts.date.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ command, facts, opts, against: against && { ref: against.ref, sha: against.sha }, elapsedMin, results }, null, 2));
  process.stdout.write(`${report}\nRaw figures: ${file}\n`);
  if (profileDir) process.stdout.write(`Profiles: ${profileDir} (summarise with: node bench/profile-summary.js ${profileDir}sqlite)\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
