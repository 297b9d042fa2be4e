// `hookd doctor <url | ep_...>` and `hookd doctor payload <file|-> [--type T]`: run the doctor on the
// server (it probes from where deliveries leave) and render its report: a table with a pass / warn /
// fail column, then the diagnosis and the fix. Exit 0 when ok, 1 when a check failed.
//
// `doctor payload` asks the server too (the schema lives in its catalogue). With no server configured
// it checks the JSON syntax locally, and a --schema file locally; --type then needs a server.

import type { Command } from 'commander';
import type { DoctorReportView } from '../api-types.js';
import { clientFor } from '../client.js';
import { enc } from '../command-kit.js';
import { ApiError, CliError, QuietExit, UsageError } from '../errors.js';
import { addAuthEnvFlags, authFromFlags, intOption, readBodyArg, readJsonArg, type AuthFlags } from '../input.js';
import { colorStatus, outputFor, type Output } from '../output.js';
import { createSchemaChecker } from '../../core/payload-check.js';
import { checkPayloadText } from '../../doctor/check-payload.js';
import { payloadDiagnosis, runPayloadDoctor } from '../../doctor/run-doctor.js';
import type { DoctorReport } from '../../doctor/report.js';

const STATUS_MARK: Record<string, string> = { pass: 'pass', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export function renderReport(out: Output, report: DoctorReportView): void {
  out.line(`${out.c.bold('doctor')} ${report.target}`);
  out.table(
    ['STEP', 'RESULT', 'CODE', 'FINDING'],
    report.checks.map((check) => [check.step, colorStatus(out.c, check.status).replace(check.status, STATUS_MARK[check.status] ?? check.status), check.code, check.message]),
  );
  for (const check of report.checks) {
    const errors = check.detail.errors;
    if (check.status !== 'fail' || !Array.isArray(errors)) continue;
    for (const e of errors as Array<{ path?: string; message?: string }>) out.line(`  ${out.c.red('-')} ${e.path ?? ''} ${e.message ?? ''}`);
  }
  const d = report.diagnosis;
  out.line();
  if (report.ok && d.code === 'ok') {
    out.line(`${out.c.green('OK')}  ${d.summary}`);
    return;
  }
  out.line(`${report.ok ? out.c.yellow('Diagnosis') : out.c.red('Diagnosis')}: ${out.c.bold(d.code)}  ${d.summary}`);
  out.line(`${out.c.bold('Fix')}: ${d.fix}`);
}

function routeMissing(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'route_not_found';
}

const NO_DOCTOR = 'this hookd server has no doctor routes (POST /v1/diagnose); upgrade or restart it with the doctor module enabled';

function finish(out: Output, report: DoctorReportView): void {
  if (out.json) out.document(report);
  else renderReport(out, report);
  if (!report.ok) throw new QuietExit(1);
}

export function registerDoctor(program: Command): void {
  const doctor = addAuthEnvFlags(
    program
      .command('doctor')
      .description('Diagnose why webhooks do not arrive: event, address, dns, tcp, tls, http, auth, payload, latency, logs')
      .argument('<target>', 'An endpoint id (ep_...) or a URL')
      .option('--auth-bearer <token>', 'Probe a URL with Authorization: Bearer <token>')
      .option('--auth-basic <user:password>', 'Probe a URL with basic auth')
      .option('--auth-header <"Name: value">', 'Probe a URL with an API-key header'),
  )
    .option('--timeout <ms>', 'Probe timeout for a URL (1000-60000)', intOption(1000, 60_000))
    .option('--json', 'Print the report as JSON')
    .action(async (target: string, opts: AuthFlags & { timeout?: number }, cmd: Command) => {
      const out = outputFor(cmd);
      const client = clientFor(cmd);
      let report: DoctorReportView;
      try {
        if (/^ep_/.test(target)) {
          if (authFromFlags(opts) !== undefined || opts.timeout !== undefined) throw new UsageError('--auth-* and --timeout apply to a URL; an endpoint is probed with its own settings');
          report = (await client.post<DoctorReportView>(`/v1/endpoints/${enc(target)}/diagnose`)).body;
        } else {
          if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) throw new UsageError(`"${target}" is neither an endpoint id (ep_...) nor a URL (https://...)`);
          const body: Record<string, unknown> = { url: target };
          const auth = authFromFlags(opts);
          if (auth) body.auth = auth;
          if (opts.timeout !== undefined) body.timeoutMs = opts.timeout;
          report = (await client.post<DoctorReportView>('/v1/diagnose', body)).body;
        }
      } catch (err) {
        if (routeMissing(err)) throw new CliError(NO_DOCTOR, 1);
        throw err;
      }
      finish(out, report);
    });

  doctor
    .command('payload')
    .description("Check a payload: JSON syntax (line and column), then the event type's schema")
    .argument('<payload>', 'A JSON file, - for stdin, or the JSON itself inline')
    .option('--type <type>', "Check against this event type's schema in the server's catalogue")
    .option('--schema <file>', 'Check against a JSON Schema file instead (no server needed)')
    .option('--json', 'Print the report as JSON')
    .action(async (file: string, opts: { type?: string; schema?: string }, cmd: Command) => {
      const out = outputFor(cmd);
      if (opts.type !== undefined && opts.schema !== undefined) throw new UsageError('give --type or --schema, not both');
      const text = (await readBodyArg(file, { allowInvalidJson: true })).toString('utf8');
      if (opts.schema !== undefined) {
        const schema = await readJsonArg(`@${opts.schema}`, '--schema');
        if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new UsageError(`${opts.schema} is not a JSON Schema object`);
        return finish(out, localReport(text, schema as Record<string, unknown>, opts.schema));
      }
      let client: ReturnType<typeof clientFor> | null = null;
      try {
        client = clientFor(cmd);
      } catch (err) {
        if (opts.type !== undefined) throw err;
      }
      if (client) {
        try {
          const body: Record<string, unknown> = { payload: text };
          if (opts.type !== undefined) body.type = opts.type;
          return finish(out, (await client.post<DoctorReportView>('/v1/diagnose/payload', body)).body);
        } catch (err) {
          if (!routeMissing(err) || opts.type !== undefined) throw routeMissing(err) ? new CliError(NO_DOCTOR, 1) : err;
        }
      }
      // No server (or an old one): the syntax check needs nothing but the text.
      finish(out, await runPayloadDoctor({ checker: createSchemaChecker(), store: undefined }, { text }));
    });
}

function localReport(text: string, schema: Record<string, unknown>, schemaFile: string): DoctorReportView {
  const started = performance.now();
  const result = checkPayloadText(createSchemaChecker(), { text, type: schemaFile }, schema);
  const { fix: _fix, ...check } = result;
  const report: DoctorReport = { target: 'payload', ok: result.status !== 'fail', checks: [{ ...check, durationMs: Math.round(performance.now() - started) }], diagnosis: payloadDiagnosis(result) };
  return report;
}
