import { describe, expect, it } from 'vitest';
import { deadOwners, type LivenessContext } from './owner-liveness.js';
import type { LeaseOwner } from './types.js';

const NOW = 1_800_000_000_000;
const ctx = (over: Partial<LivenessContext> = {}): LivenessContext => ({ self: 'me', now: NOW, deadAfterMs: 5_000, pidScope: 'boot/ns', pid: 100, processStartedAt: NOW - 30_000, pidRunning: () => true, ...over });
const owner = (over: Partial<LeaseOwner>): LeaseOwner => ({ owner: 'other', host: 'h', pid: 200, pidScope: 'boot/ns', startedAt: NOW - 60_000, heartbeatAt: NOW - 1_000, ...over });

describe('deadOwners', () => {
  it('never names itself, and keeps owners with a fresh heartbeat and a running pid', () => {
    expect(deadOwners([owner({ owner: 'me', heartbeatAt: NOW - 60_000 }), owner({})], ctx())).toEqual([]);
  });

  it('names an owner whose heartbeat is older than deadAfterMs (exactly at the bound too)', () => {
    expect(deadOwners([owner({ heartbeatAt: NOW - 5_000 }), owner({ owner: 'b', heartbeatAt: NOW - 4_999 })], ctx())).toEqual([{ owner: 'other', heartbeatAt: NOW - 5_000, reason: 'stale' }]);
  });

  it('names an owner of the same pid scope whose pid is gone, however fresh its heartbeat', () => {
    const running = new Set([300]);
    const dead = deadOwners([owner({ pid: 200 }), owner({ owner: 'b', pid: 300 })], ctx({ pidRunning: (pid) => running.has(pid) }));
    expect(dead).toEqual([{ owner: 'other', heartbeatAt: NOW - 1_000, reason: 'exited' }]);
  });

  it('an owner that had this process’s pid in this scope is dead (the pid was reused by us)', () => {
    expect(deadOwners([owner({ pid: 100 })], ctx())).toEqual([{ owner: 'other', heartbeatAt: NOW - 1_000, reason: 'exited' }]);
  });

  it('another runtime in this same process (same pid, registered since it started) is alive', () => {
    expect(deadOwners([owner({ pid: 100, startedAt: NOW - 10_000 })], ctx())).toEqual([]);
  });

  it('does not test pids of another scope, or when the scope is unknown', () => {
    const gone = (): boolean => false;
    expect(deadOwners([owner({ pidScope: 'other-boot/ns' })], ctx({ pidRunning: gone }))).toEqual([]);
    expect(deadOwners([owner({ pidScope: null })], ctx({ pidRunning: gone, pidScope: null }))).toEqual([]);
    expect(deadOwners([owner({})], ctx({ pidRunning: gone, pidScope: null }))).toEqual([]);
  });
});
