// The doctor's report (spec section 8): pure data. The CLI, the API and the dashboard only render it.

import { ATTEMPT_CODES, type AttemptCode } from '../core/attempt-codes.js';

/** The steps in the order they run; a failed step skips the steps that depend on it. */
/** `broker` (handshake, auth and a test publish) runs only for broker destinations, in place of `http`. */
export const DOCTOR_STEPS = ['event', 'address', 'dns', 'tcp', 'tls', 'http', 'broker', 'auth', 'payload', 'latency', 'logs'] as const;
export type DoctorStep = (typeof DOCTOR_STEPS)[number];

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** A check's code: a spec section 8 code ('ok' when it passed), or 'skipped'. */
export type CheckCode = AttemptCode | 'skipped';

export interface Check {
  step: DoctorStep;
  status: CheckStatus;
  code: CheckCode;
  /** One plain-language sentence or two, specific to what was found. */
  message: string;
  /** Facts behind the verdict: addresses, certificate, status code, timings ... */
  detail: Record<string, unknown>;
  durationMs: number;
}

export interface Diagnosis {
  code: AttemptCode;
  summary: string;
  fix: string;
}

export interface DoctorReport {
  target: string;
  /** false when any check failed (warnings keep it true; the diagnosis still names the first one). */
  ok: boolean;
  checks: Check[];
  diagnosis: Diagnosis;
}

/**
 * What a step returns: a check, plus an optional fix more precise than the registry's (e.g. "the
 * endpoint sends no credentials" versus "the credentials are wrong"). The runner moves it into the
 * diagnosis and keeps checks in the documented shape.
 */
export interface StepResult extends Omit<Check, 'durationMs'> {
  fix?: string | undefined;
}

/** First failure, else first warning, else ok. Summary and fix come from the one code registry. */
export function pickDiagnosis(results: readonly StepResult[]): Diagnosis {
  const chosen = results.find((r) => r.status === 'fail') ?? results.find((r) => r.status === 'warn');
  if (!chosen || chosen.code === 'skipped') return { code: 'ok', ...ATTEMPT_CODES.ok };
  const info = ATTEMPT_CODES[chosen.code];
  return { code: chosen.code, summary: info.summary, fix: chosen.fix ?? info.fix };
}

export function passed(step: DoctorStep, message: string, detail: Record<string, unknown> = {}): StepResult {
  return { step, status: 'pass', code: 'ok', message, detail };
}

export function found(
  step: DoctorStep,
  status: 'fail' | 'warn',
  code: AttemptCode,
  message: string,
  detail: Record<string, unknown> = {},
  fix?: string,
): StepResult {
  return { step, status, code, message, detail, ...(fix !== undefined ? { fix } : {}) };
}

export function skipped(step: DoctorStep, message: string, detail: Record<string, unknown> = {}): StepResult {
  return { step, status: 'skip', code: 'skipped', message, detail };
}
