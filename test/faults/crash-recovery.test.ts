// Issue 23 (1): crash recovery in seconds, not lease lengths. Leases here are long, as in production
// (endpoint timeout 15 s + HOOKD_LEASE_GRACE_MS 30 s), and every endpoint is at its concurrency cap
// when the process dies, so waiting for the leases would deliver nothing for ~45 s. Measured:
// - SQLite and PostgreSQL: kill -9, restart on the same database; the first delivery comes within
//   5 s of the restarted server listening (it sees the previous owner's pid is gone);
// - PostgreSQL: a surviving worker takes over a killed worker's deliveries within 5 s (pid gone), and
//   a frozen worker's once its heartbeat is stale (HOOKD_OWNER_DEAD_AFTER_MS), the frozen worker's
//   late results then refused.
// Always: nothing lost, duplicates only of deliveries whose first request was on the wire (or
// answered but not yet recorded) at the kill, with identical bytes.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, countDeliveries, createEndpoint, publishMany, sleep, until } from './support/api.js';
import { baseEnv, startHookd, stopAll, warnings, type HookdProcess } from './support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './support/postgres.js';
import { checkDuplicates, pairKey, startRecorder, type Receipt, type Recorder } from './support/recorder.js';

// 3 x 10 requests at once stay under the sender's 32 connections per origin (all endpoints share
// the recorder's origin), so every endpoint can really be at its cap.
const ENDPOINTS = 3;
const MAX_CONCURRENCY = 10;
const EVENTS = 400; // x 3 endpoints = 1,200 deliveries
/** The behaviour bound of the issue: generous for a loaded machine, far below a lease (45 s). */
const RECOVERY_BOUND_MS = 5_000;
const LONG_LEASES = { HOOKD_LEASE_GRACE_MS: '30000' };
const ENDPOINT = { maxConcurrency: MAX_CONCURRENCY, timeoutMs: 15_000 };

let recorder: Recorder | null = null;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await stopAll();
  await recorder?.close();
  recorder = null;
  for (const c of cleanups.splice(0).reverse()) await c();
});

function sqliteEnv(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-recover-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return baseEnv({ HOOKD_DATA_DIR: dir, ...LONG_LEASES });
}

function postgresEnv(): Record<string, string> {
  const schema = freshSchema('hookd_recover');
  const dir = mkdtempSync(join(tmpdir(), 'hookd-recover-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => dropSchema(schema));
  return baseEnv({ HOOKD_DATA_DIR: dir, DATABASE_URL: schemaUrl(SHARED_URL, schema), ...LONG_LEASES });
}

interface Backlog {
  rec: Recorder;
  expected: Set<string>;
  ids: string[];
}

const slowAnswers = (): { status: number; delayMs: number } => ({ status: 200, delayMs: 150 + Math.floor(Math.random() * 100) });

/**
 * Endpoints at their cap with a slow receiver, and a backlog well beyond what is in flight. With
 * `hold`, the receiver answers nothing until told (answerAgain): the caps stay full of the first
 * process's requests, so no other process can send anything before it takes those leases over.
 */
async function busyBacklog(url: string, hold = false): Promise<Backlog> {
  recorder = await startRecorder();
  const rec = recorder;
  rec.answer(hold ? () => 'hold' : slowAnswers);
  const tags = Array.from({ length: ENDPOINTS }, (_, i) => `ep${i}`);
  for (const tag of tags) await createEndpoint(url, rec.urlFor(tag), ENDPOINT);
  const ids = await publishMany(url, 'order.created', EVENTS);
  const expected = new Set(ids.flatMap((id) => tags.map((tag) => pairKey(tag, id))));
  const full = ENDPOINTS * MAX_CONCURRENCY;
  await until('every endpoint at its cap', () => tags.every((t) => rec.maxInFlight(t) >= MAX_CONCURRENCY) && rec.inFlight() >= (hold ? full : full * 0.75), 30_000, 5);
  return { rec, expected, ids };
}

const answerAgain = (rec: Recorder): void => rec.answer(slowAnswers);

/** Receipts at or after `since`. */
const after = (receipts: Receipt[], since: number): Receipt[] => receipts.filter((r) => r.at >= since);

/** Every pair arrives; duplicates are identical and only of pairs first sent before the kill. */
/** `deadBy`: a time by which the dead process was gone and everything it sent had been read. */
async function expectNothingLostAndFewDuplicates(backlog: Backlog, deadBy: number, check: HookdProcess): Promise<number> {
  const { rec, expected } = backlog;
  await until('every pair delivered', () => rec.missing(expected) === 0, 60_000, 100);
  const { duplicates, mismatched } = checkDuplicates(rec.receipts);
  expect(mismatched).toEqual([]);
  expect([...rec.distinct()].filter((k) => !expected.has(k))).toEqual([]);
  const firstAt = new Map<string, number>();
  const repeated = new Set<string>();
  for (const r of rec.receipts) {
    const key = pairKey(r.endpoint, r.webhookId);
    if (firstAt.has(key)) repeated.add(key);
    else firstAt.set(key, r.at);
  }
  // A delivery sent twice was first sent by the process that died: none by the recovery itself.
  expect([...repeated].filter((k) => (firstAt.get(k) ?? 0) >= deadBy)).toEqual([]);
  // At most what the dead process could hold (its claims), and no request overlapped another one
  // for the same delivery (the dead process's sockets were reset with it).
  expect(duplicates).toBeLessThanOrEqual(ENDPOINTS * MAX_CONCURRENCY);
  expect(rec.overlaps).toEqual([]);
  await until('all recorded as succeeded', async () => (await countDeliveries(check.url, 'succeeded')) === expected.size, 20_000, 250);
  for (const status of ['pending', 'sending', 'failed']) expect(await countDeliveries(check.url, status)).toBe(0);
  return duplicates;
}

async function killAndRestart(label: string, env: Record<string, string>): Promise<void> {
  const first = await startHookd('first', env);
  const backlog = await busyBacklog(first.url);
  const inFlight = backlog.rec.inFlight();
  const killedAt = Date.now();
  await first.kill9();
  // Let this process read what the dead one had already sent (requests in the socket buffers).
  await sleep(200);
  const restartedAt = Date.now();
  const second = await startHookd('second', env);
  const listeningAt = Date.now();
  const firstAfter = await until('the first delivery after the restart', () => after(backlog.rec.receipts, restartedAt)[0], 60_000, 10);
  // From the moment the restarted server is up (its start-up, ~2 s here, is Node and the
  // migrations, the same with or without a crash before it).
  const recoveryMs = firstAfter.at - listeningAt;
  const duplicates = await expectNothingLostAndFewDuplicates(backlog, restartedAt, second);
  expect(second.logs.some((l) => /released the deliveries of dead lease owners/.test(l.msg))).toBe(true);
  console.info(
    `${label}: kill -9 with ${inFlight} requests open; restart to listening ${listeningAt - restartedAt} ms, ` +
      `first delivery ${recoveryMs} ms after it listens (${firstAfter.at - restartedAt} ms after the restart, ${firstAfter.at - killedAt} ms after the kill); ${duplicates} duplicates`,
  );
  expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
  expect(await second.stop()).toBe(0);
}

describe('kill -9 and restart: deliveries resume within seconds, not lease lengths', () => {
  it('SQLite', async () => {
    await killAndRestart('SQLite', sqliteEnv());
  }, 120_000);

  it('PostgreSQL', async () => {
    await killAndRestart('PostgreSQL', postgresEnv());
  }, 120_000);
});

describe('PostgreSQL: a surviving worker takes over', () => {
  it('a killed worker’s deliveries at once (its pid is gone), not when the leases expire', async () => {
    // A dead-owner bound far above the test's: only the pid evidence can explain a fast takeover.
    const env = { ...postgresEnv(), HOOKD_OWNER_DEAD_AFTER_MS: '60000' };
    const doomed = await startHookd('doomed', env);
    const backlog = await busyBacklog(doomed.url, true);
    const survivor = await startHookd('survivor', { ...env, HOOKD_ROLE: 'worker' });
    // The survivor is up, but every endpoint's room is held by the doomed process: it sends nothing.
    await sleep(500);
    expect(backlog.rec.receipts).toHaveLength(ENDPOINTS * MAX_CONCURRENCY);
    answerAgain(backlog.rec);
    const killedAt = Date.now();
    await doomed.kill9();
    const goneAt = Date.now();
    const firstAfter = await until('the survivor’s first delivery', () => after(backlog.rec.receipts, killedAt)[0], 60_000, 10);
    const takeoverMs = firstAfter.at - killedAt;
    const api2 = await startHookd('api', { ...env, HOOKD_ROLE: 'api' });
    await expectNothingLostAndFewDuplicates(backlog, goneAt, api2);
    console.info(`PostgreSQL survivor: first delivery ${takeoverMs} ms after kill -9 of the other worker`);
    expect(takeoverMs).toBeLessThan(RECOVERY_BOUND_MS);
    expect(survivor.logs.some((l) => /released the deliveries of dead lease owners/.test(l.msg) && JSON.stringify(l.owners).includes('exited'))).toBe(true);
  }, 120_000);

  it('a frozen worker’s deliveries once its heartbeat is stale; its late results are refused', async () => {
    const env = { ...postgresEnv(), HOOKD_HEARTBEAT_MS: '500', HOOKD_OWNER_DEAD_AFTER_MS: '2000' };
    recorder = await startRecorder();
    const rec = recorder;
    rec.answer(() => 'hold');
    const apiNode = await startHookd('api', { ...env, HOOKD_ROLE: 'api' });
    const frozen = await startHookd('frozen', { ...env, HOOKD_ROLE: 'worker' });
    const endpointId = await createEndpoint(apiNode.url, rec.urlFor('held'), { maxConcurrency: 10, timeoutMs: 15_000 });
    const ids = await publishMany(apiNode.url, 'order.created', 10);
    await until('the frozen worker to send all ten', () => rec.receipts.length >= 10, 20_000);
    const survivor = await startHookd('survivor', { ...env, HOOKD_ROLE: 'worker' });
    await sleep(600); // the survivor has beaten once and sees a live owner
    expect(rec.receipts).toHaveLength(10);
    rec.answer(() => ({ status: 200 }));
    process.kill(frozen.pid, 'SIGSTOP');
    const frozenAt = Date.now();
    const firstAfter = await until('the survivor’s first delivery', () => after(rec.receipts, frozenAt)[0], 30_000, 10);
    const takeoverMs = firstAfter.at - frozenAt;
    await until('the survivor to deliver all ten', () => new Set(after(rec.receipts, frozenAt).map((r) => r.webhookId)).size === 10, 30_000);
    // Its results are in before the frozen one wakes up.
    const list = async (): Promise<Array<{ id: string; status: string }>> => (await api(apiNode.url, 'GET', `/v1/deliveries?endpoint=${endpointId}&limit=250`)).body.data;
    await until('the survivor’s results', async () => (await list()).filter((d) => d.status === 'succeeded').length === 10, 10_000);

    // The frozen worker's held requests now fail, and it wakes: each late result is stale.
    expect(rec.release(500)).toBe(10);
    process.kill(frozen.pid, 'SIGCONT');
    await until('the frozen worker to learn it was presumed dead', () => warnings(frozen).some((l) => /presumed dead/.test(l.msg)), 10_000);
    await until('its results refused as stale', () => warnings(frozen).filter((l) => /stale attempt result rejected/.test(l.msg)).length >= 10, 15_000);
    for (const d of await list()) {
      const detail = await api(apiNode.url, 'GET', `/v1/deliveries/${d.id}`);
      expect(detail.body.status).toBe('succeeded');
      expect((detail.body.attempts as Array<{ responseStatus: number | null }>).filter((a) => a.responseStatus === 500)).toEqual([]);
    }
    expect(new Set(rec.receipts.map((r) => r.webhookId))).toEqual(new Set(ids));
    console.info(`PostgreSQL frozen worker: survivor's first delivery ${takeoverMs} ms after SIGSTOP (dead-owner bound 2000 ms, leases 45 s)`);
    expect(takeoverMs).toBeLessThan(RECOVERY_BOUND_MS);
    for (const p of [frozen, survivor, apiNode]) expect(await p.stop()).toBe(0);
  }, 120_000);
});
