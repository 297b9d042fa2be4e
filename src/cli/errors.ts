// Errors the CLI turns into exit codes: 1 for failures (API errors, a failed verification, an
// unreachable server), 2 for usage and missing configuration. main.ts prints them as one line on stderr.

export type ExitCode = 1 | 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Bad flags or arguments the parser could not catch (invalid JSON in --data, a bad time). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** A problem+json answer from the server. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(detail && detail !== title ? `${title}: ${detail} (${code})` : `${title} (${code})`, 1);
    this.name = 'ApiError';
  }
}

/** The outcome was already printed (an invalid signature, a failing doctor check): exit quietly. */
export class QuietExit extends Error {
  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
    this.name = 'QuietExit';
  }
}
