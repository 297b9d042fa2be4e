// The package as a user gets it: `npm pack` (which runs the `prepack` build from an empty dist/),
// install the tarball into a scratch project, then import every subpath from plain Node ESM, type-check
// a TypeScript file against the shipped declarations, run `npx hookd --version` and start the
// installed server. Nothing here touches the repository's own dist/ (other test files run the built
// CLI meanwhile): the package is packed from a copy of its sources in a temporary directory.
//
// Offline by design: the scratch project's lockfile pins the same dependency versions as the
// repository's package-lock.json, so `npm ci --offline` takes every tarball from the npm cache that
// installing the repository filled. Install scripts are skipped (better-sqlite3 would compile for
// ~100 s); its already built addon is copied from the repository's node_modules instead.

import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string>; bin: Record<string, string>; exports: Record<string, unknown> };

/** Every public subpath and a few names it must export. Adding a subpath is one line here. */
const SUBPATHS: Array<{ spec: string; names: string[] }> = [
  { spec: 'hookd', names: ['createRuntime', 'loadConfig', 'createLogger', 'HookdError', 'VERSION', 'API_ERROR_CODES'] },
  { spec: 'hookd/signature', names: ['signStandardWebhook', 'verifyStandardWebhook', 'generateSecret', 'verifyStripe', 'verifyGithub'] },
  { spec: 'hookd/receiver', names: ['createReceiver', 'nodeHandler', 'expressHandler', 'fastifyPlugin', 'WebhookVerificationError'] },
  { spec: 'hookd/client', names: ['HookdClient', 'HookdProblemError', 'HookdNetworkError', 'paginate', 'Transport', 'OPERATIONS', 'retryAfterMs'] },
];

let work = '';
let app = '';
let entries: string[] = [];

async function npm(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run('npm', args, { cwd, timeout: 90_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hookd-pack-'));
  // 1. A copy of what the package is built from, with no dist/: the tarball's dist/ must come from prepack.
  const source = join(work, 'source');
  mkdirSync(source);
  for (const name of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'src', 'bin', 'web', 'docs', 'scripts']) {
    cpSync(join(repo, name), join(source, name), { recursive: true });
  }
  symlinkSync(join(repo, 'node_modules'), join(source, 'node_modules'), 'dir');
  const packed = await npm(['pack', '--json', '--pack-destination', work], source);
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  expect(existsSync(join(work, info[0]!.filename))).toBe(true);
  entries = info[0]!.files.map((f) => f.path);

  // 2. A scratch project that depends on the tarball, locked to the repository's dependency versions.
  app = join(work, 'app');
  mkdirSync(app);
  const registry = (await npm(['config', 'get', 'registry'], app)).stdout.trim().replace(/\/$/, '');
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; version?: string; resolved?: string }> };
  const dependency = `file:../${info[0]!.filename}`;
  const packages: Record<string, unknown> = {
    '': { name: 'scratch', dependencies: { hookd: dependency } },
    'node_modules/hookd': { version: pkg.version, resolved: dependency, dependencies: pkg.dependencies, bin: pkg.bin },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = { ...entry, resolved: entry.resolved ?? `${registry}/${name}/-/${name.split('/').pop()}-${entry.version}.tgz` };
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { hookd: dependency } }));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'scratch', lockfileVersion: 3, requires: true, packages }));
  await npm(['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], app);
  cpSync(join(repo, 'node_modules', 'better-sqlite3', 'build'), join(app, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships what a user needs and nothing of the workshop', () => {
    for (const needed of ['package.json', 'README.md', 'bin/hookd.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/signature/index.d.ts', 'dist/receiver/index.d.ts', 'web/index.html', 'docs/cli.md']) {
      expect(entries, needed).toContain(needed);
    }
    const leaked = entries.filter((path) => /^(src|test|bench|\.ci|scripts|node_modules)\//.test(path) || /\.test\.|\.map$|build-stamp/.test(path));
    expect(leaked).toEqual([]);
    // Every subpath the package exports is in the test's list (a new one must be tested here too).
    expect(Object.keys(pkg.exports).filter((key) => key !== './package.json').map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`))).toEqual(SUBPATHS.map((s) => s.spec));
  });

  it('imports every subpath from plain Node ESM', async () => {
    const lines = SUBPATHS.map((s, i) => `import * as m${i} from '${s.spec}';`);
    lines.push(`const found = {};`, ...SUBPATHS.map((s, i) => `found['${s.spec}'] = Object.keys(m${i}).filter((k) => m${i}[k] !== undefined);`));
    // One real use: sign with the installed hookd/signature and verify with the installed receiver.
    lines.push(
      `const secret = m1.generateSecret();`,
      `const body = JSON.stringify({ type: 'chat.started', timestamp: new Date().toISOString(), data: { chatId: 'c_1' } });`,
      `const ts = Math.floor(Date.now() / 1000);`,
      `const verified = await m2.createReceiver({ secrets: secret }).verify(body, { 'webhook-id': 'evt_1', 'webhook-timestamp': String(ts), 'webhook-signature': m1.signStandardWebhook({ secret, id: 'evt_1', timestamp: ts, body }) });`,
      `console.log(JSON.stringify({ found, type: verified.type, version: m0.VERSION }));`,
    );
    writeFileSync(join(app, 'check.mjs'), `${lines.join('\n')}\n`);
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: app, timeout: 30_000 });
    const result = JSON.parse(stdout) as { found: Record<string, string[]>; type: string; version: string };
    for (const s of SUBPATHS) expect(result.found[s.spec], s.spec).toEqual(expect.arrayContaining(s.names));
    expect(result.type).toBe('chat.started');
    expect(result.version).toBe(pkg.version);
  });

  it('type-checks TypeScript against the shipped declarations', async () => {
    const lines = SUBPATHS.map((s, i) => `import { ${s.names.join(', ')} } from '${s.spec}';\nvoid [${s.names.join(', ')}]; // ${i}`);
    lines.push(
      `import type { Endpoint, Runtime } from 'hookd';`,
      `import type { VerifyResult } from 'hookd/signature';`,
      `import type { VerifiedWebhook } from 'hookd/receiver';`,
      `const result: VerifyResult = verifyStandardWebhook({ body: '{}', secrets: [generateSecret()], headers: {} });`,
      `if (!result.ok) { const code: string = result.code; void code; }`,
      `const receiver = createReceiver({ secrets: 'whsec_x' });`,
      `export const handler = nodeHandler(receiver, async (event: VerifiedWebhook) => { const id: string = event.id; const t: string | undefined = event.type; void [id, t]; });`,
      `export async function start(): Promise<Runtime> { const config = loadConfig({ env: {} }); return createRuntime({ config, logger: createLogger(config.logLevel) }); }`,
      `export function url(endpoint: Endpoint): string { return endpoint.url; }`,
      `import type { EndpointView, DeliveryView } from 'hookd/client';`,
      `export async function typed(c: HookdClient): Promise<string> { const e: EndpointView = await c.endpoints.get('ep_1'); for await (const d of c.deliveries.iterate({ status: 'failed' })) { const x: DeliveryView = d; void x; } return e.url; }`,
      `// @ts-expect-error an endpoint URL is a string`,
      `void new HookdClient({ baseUrl: 'http://localhost:8080' }).endpoints.create({ url: 42 });`,
      // The declarations are real types, not `any`: a wrong call must be an error.
      `// @ts-expect-error secrets are strings`,
      `createReceiver({ secrets: 42 });`,
    );
    writeFileSync(join(app, 'check.ts'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(repo, 'node_modules', '@types')], types: ['node'] },
        files: ['check.ts'],
      }),
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const outcome = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, timeout: 60_000 }).then(
      () => ({ ok: true, output: '' }),
      (err: { stdout?: string; message?: string }) => ({ ok: false, output: err.stdout || (err.message ?? 'tsc failed') }),
    );
    expect(outcome.output).toBe('');
    expect(outcome.ok).toBe(true);
  });

  it('runs `npx hookd --version` and starts the installed server with its dashboard', async () => {
    const { stdout } = await run('npx', ['--offline', '--no-install', 'hookd', '--version'], { cwd: app, timeout: 30_000 });
    expect(stdout.trim()).toBe(pkg.version);

    const dataDir = join(work, 'data');
    const child = spawn(join(app, 'node_modules', '.bin', 'hookd'), ['serve', '--port', '0', '--data-dir', dataDir], {
      cwd: app,
      env: { ...process.env, HOOKD_ADMIN_KEY: 'hk_tarball_test_admin_key_0123456789', HOOKD_LOG_LEVEL: 'warn', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${stderr}`)), 20_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const m = /listening on (http:\/\/\S+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!.replace('localhost', '127.0.0.1'));
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const dashboard = await fetch(`${url}/`);
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain('<html');
      expect(existsSync(join(dataDir, 'hookd.db'))).toBe(true);
      expect(readdirSync(join(app, 'node_modules', 'hookd'))).not.toContain('src');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
