import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countDeliveries, createEndpoint, publishMany, sleep, until } from './api.js';
import { baseEnv, startHookd, stopAll } from './hookd-process.js';
import { startRecorder } from './recorder.js';

const rec = await startRecorder();
rec.answer(() => ({ status: 200, delayMs: 10 + Math.floor(Math.random() * 30) }));
const dir = mkdtempSync(join(tmpdir(), 'hookd-dbg-'));
const env = baseEnv({ HOOKD_DATA_DIR: dir, HOOKD_LOG_LEVEL: process.env.LVL ?? 'info' });
const first = await startHookd('first', env);
for (let i = 0; i < 5; i++) await createEndpoint(first.url, rec.urlFor(`ep${i}`), { maxConcurrency: 50, timeoutMs: 2000 });
const t0 = Date.now();
await publishMany(first.url, 'order.created', 600);
console.log('published in', Date.now() - t0, 'receipts', rec.receipts.length);
await until('q', () => rec.receipts.length >= 750, 30000, 5);
console.log('kill at', Date.now() - t0, 'receipts', rec.receipts.length, 'distinct', rec.distinct().size);
if (process.env.NOKILL) {
  for (let i = 0; i < 20; i++) { await sleep(1000); console.log(Date.now() - t0, rec.receipts.length, rec.distinct().size, rec.inFlight()); }
  console.log(first.logs.slice(-10));
  await stopAll(); await rec.close(); process.exit(0);
}
await first.kill9();
const second = await startHookd('second', env);
for (let i = 0; i < 30; i++) {
  await sleep(1000);
  console.log(Date.now() - t0, 'receipts', rec.receipts.length, 'distinct', rec.distinct().size, 'inflight', rec.inFlight(), 'succ', await countDeliveries(second.url, 'succeeded'), 'sending', await countDeliveries(second.url, 'sending'), 'pending', await countDeliveries(second.url, 'pending'));
  if (rec.distinct().size >= 3000 && (await countDeliveries(second.url, 'succeeded')) === 3000) break;
}
console.log(second.logs.filter((l) => l.level >= 30).slice(-15).map((l) => JSON.stringify(l).slice(0, 300)).join('\n'));
await stopAll(); await rec.close();
