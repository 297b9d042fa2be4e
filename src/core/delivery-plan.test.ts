import { describe, expect, it } from 'vitest';
import { classifyNetworkFailure, classifyStatus } from './classify-response.js';
import { planAfterAttempt, type PlanInput } from './delivery-plan.js';
import { DEFAULT_RETRY_SCHEDULE, parseRetryAfter, scheduledDelayMs } from './retry-policy.js';

const NOW = Date.parse('2026-05-20T15:30:00Z');
const base = (over: Partial<PlanInput>): PlanInput => ({
  delivery: { runAttempts: 0 },
  endpoint: { retrySchedule: null },
  classification: classifyStatus(500),
  responseStatus: 500,
  retryAfterMs: null,
  now: NOW,
  random: () => 0.5,
  failingPeriodMs: 5 * 86_400_000,
  ...over,
});

describe('classifyStatus', () => {
  it.each([
    [200, 'success', 'ok'],
    [204, 'success', 'ok'],
    [301, 'retry', 'http_redirect'],
    [308, 'retry', 'http_redirect'],
    [400, 'retry', 'http_client_error'],
    [401, 'retry', 'http_unauthorized'],
    [403, 'retry', 'http_forbidden'],
    [404, 'retry', 'http_not_found'],
    [405, 'retry', 'http_method_not_allowed'],
    [410, 'disable_endpoint', 'http_gone'],
    [429, 'throttle', 'http_rate_limited'],
    [500, 'retry', 'http_server_error'],
    [502, 'throttle', 'http_server_error'],
    [503, 'throttle', 'http_server_error'],
    [504, 'throttle', 'http_server_error'],
  ])('%i -> %s / %s', (status, outcome, code) => {
    expect(classifyStatus(status)).toEqual({ outcome, code });
  });

  it('network failures retry, except an invalid URL', () => {
    expect(classifyNetworkFailure('connection_refused')).toEqual({ outcome: 'retry', code: 'connection_refused' });
    expect(classifyNetworkFailure('invalid_url').outcome).toBe('fail');
  });
});

describe('retry schedule', () => {
  it('follows the default schedule with +-20% jitter', () => {
    expect(DEFAULT_RETRY_SCHEDULE).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    expect(scheduledDelayMs(DEFAULT_RETRY_SCHEDULE, 1, () => 0.9)).toBe(0);
    expect(scheduledDelayMs(DEFAULT_RETRY_SCHEDULE, 2, () => 0.5)).toBe(5000);
    expect(scheduledDelayMs(DEFAULT_RETRY_SCHEDULE, 2, () => 0)).toBe(4000);
    expect(scheduledDelayMs(DEFAULT_RETRY_SCHEDULE, 2, () => 0.999999)).toBe(6000);
    expect(scheduledDelayMs(DEFAULT_RETRY_SCHEDULE, 11, () => 0.5)).toBeNull();
  });

  it('parses Retry-After as seconds or an HTTP date, ignoring garbage', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
  });
});

describe('planAfterAttempt', () => {
  it('a 2xx succeeds and clears the failing streak', () => {
    expect(planAfterAttempt(base({ classification: classifyStatus(200), responseStatus: 200 }))).toMatchObject({ status: 'succeeded', nextAttemptAt: null, health: 'success', exhausted: false });
  });

  it('a failure schedules the next attempt from the schedule', () => {
    const plan = planAfterAttempt(base({}));
    expect(plan).toMatchObject({ status: 'pending', nextAttemptAt: NOW + 5000, health: 'failure', disableIfFailingSince: NOW - 5 * 86_400_000 });
  });

  it('exhausts after the last scheduled attempt', () => {
    const plan = planAfterAttempt(base({ delivery: { runAttempts: 9 } }));
    expect(plan).toMatchObject({ status: 'failed', exhausted: true, nextAttemptAt: null });
  });

  it('uses the endpoint schedule when set', () => {
    expect(planAfterAttempt(base({ endpoint: { retrySchedule: [0, 1] } })).nextAttemptAt).toBe(NOW + 1000);
    expect(planAfterAttempt(base({ endpoint: { retrySchedule: [0, 1] }, delivery: { runAttempts: 1 } })).status).toBe('failed');
  });

  it('honours Retry-After on throttling, capped at twice the next interval', () => {
    const throttled = base({ classification: classifyStatus(429), responseStatus: 429 });
    expect(planAfterAttempt({ ...throttled, retryAfterMs: 7000 }).nextAttemptAt).toBe(NOW + 7000);
    expect(planAfterAttempt({ ...throttled, retryAfterMs: 3_600_000 }).nextAttemptAt).toBe(NOW + 10_000);
    expect(planAfterAttempt({ ...throttled, retryAfterMs: null }).nextAttemptAt).toBe(NOW + 5000);
  });

  it('a Retry-After pauses the whole endpoint, at most 60 s; without one, or on other failures, no pause', () => {
    const throttled = base({ classification: classifyStatus(429), responseStatus: 429 });
    expect(planAfterAttempt({ ...throttled, retryAfterMs: 7000 }).pauseUntil).toBe(NOW + 7000);
    expect(planAfterAttempt({ ...throttled, retryAfterMs: 3_600_000 }).pauseUntil).toBe(NOW + 60_000);
    expect(planAfterAttempt({ ...throttled, retryAfterMs: null }).pauseUntil).toBeUndefined();
    const failed = base({ classification: classifyStatus(500), responseStatus: 500 });
    expect(planAfterAttempt({ ...failed, retryAfterMs: 7000 }).pauseUntil).toBeUndefined();
  });

  it('410 ends the delivery and disables the endpoint', () => {
    expect(planAfterAttempt(base({ classification: classifyStatus(410), responseStatus: 410 }))).toMatchObject({ status: 'failed', disableGone: true, exhausted: true });
  });
});

describe('planAfterAttempt with a run limit', () => {
  it('a plain manual retry (limit 1) that fails ends the run instead of starting the schedule again', () => {
    expect(planAfterAttempt(base({ delivery: { runAttempts: 0, runLimit: 1 } }))).toMatchObject({ status: 'failed', nextAttemptAt: null, exhausted: true });
    // Without a limit the same failure is retried on the schedule.
    expect(planAfterAttempt(base({ delivery: { runAttempts: 0, runLimit: null } })).status).toBe('pending');
    // A limit of 3 allows the second and third attempts, not a fourth.
    expect(planAfterAttempt(base({ delivery: { runAttempts: 1, runLimit: 3 } })).status).toBe('pending');
    expect(planAfterAttempt(base({ delivery: { runAttempts: 2, runLimit: 3 } })).status).toBe('failed');
    // Success is success whatever the limit.
    expect(planAfterAttempt(base({ delivery: { runAttempts: 0, runLimit: 1 }, classification: classifyStatus(200), responseStatus: 200 })).status).toBe('succeeded');
  });
});
