// Long hostile-input run of the ingress and the publish route (not part of `npm test`):
//
//   npx tsx scripts/fuzz-ingress.ts              # 100,000 cases per route
//   npx tsx scripts/fuzz-ingress.ts 500000       # more
//   FUZZ_SEED=123 npx tsx scripts/fuzz-ingress.ts  # replay a reported seed
//
// The generators and properties are the ones of test/inbound-fuzz.test.ts (test/inbound-fuzz-cases.ts):
// every answer is a documented 2xx/4xx with a JSON body; never a 500, an exception, a hang (5 s per
// case) or a polluted prototype. A failure prints fast-check's counterexample and seed, exit code 1.

import fc from 'fast-check';
import { createFuzzTargets, ingressProperty, publishProperty } from '../test/inbound-fuzz-cases.js';
import { createInboundHarness } from '../test/inbound-helpers.js';

const runs = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: npx tsx scripts/fuzz-ingress.ts [cases per route, default 100000]\n');
  process.exit(2);
}
const seed = process.env.FUZZ_SEED === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.FUZZ_SEED);

/** Runs one property; true when it held for every case. */
async function run<T extends unknown[]>(name: string, property: fc.IAsyncPropertyWithHooks<T>): Promise<boolean> {
  const started = Date.now();
  let done = 0;
  const progress = setInterval(() => {
    if (process.stderr.isTTY) process.stderr.write(`  ${name}: ${done}/${runs}\r`);
  }, 2000);
  const watched = property.beforeEach((previous) => {
    done++;
    return previous();
  });
  const result = await fc.check(watched, { numRuns: runs, timeout: 5000, seed });
  clearInterval(progress);
  if (process.stderr.isTTY) process.stderr.write(`${' '.repeat(60)}\r`);
  if (result.failed) {
    process.stdout.write(`FAIL ${name}\n${fc.defaultReportMessage(result) ?? ''}\n`);
    return false;
  }
  process.stdout.write(`ok   ${name}: ${result.numRuns} cases in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})\n`);
  return true;
}

const h = await createInboundHarness({}, { HOOKD_API_RATE_LIMIT: '0' });
async function runAll(): Promise<boolean> {
  try {
    const targets = await createFuzzTargets(h);
    const ingressOk = await run('ingress POST /in/{sourceId}', ingressProperty(h, targets));
    const publishOk = await run('publish POST /v1/events', publishProperty(h));
    return ingressOk && publishOk;
  } finally {
    await h.close();
  }
}
const ok = await runAll();
process.exit(ok ? 0 : 1);
