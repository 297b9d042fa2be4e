// `--against <git ref>`: the reference build the current code is compared with. The ref is checked
// out in a scratch worktree in the OS temporary directory and built there with this checkout's
// node_modules (a symlink: the build only reads it; nothing is installed). The benchmark then starts
// `bin/hookd.js` of either tree with the same harness, so the only difference between A and B is
// the code under test. The worktree is removed afterwards, also when the run fails.

import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const git = (root, args) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Check out and build `ref`; returns { sha, short, root, cleanup() }. */
export function prepareAgainst(root, ref, log) {
  let sha;
  try {
    sha = git(root, ['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--against ${ref}: not a commit in this repository`);
  }
  const short = sha.slice(0, 10);
  const dir = join(tmpdir(), `hookd-bench-against-${short}-${process.pid}`);
  const cleanup = () => {
    try {
      git(root, ['worktree', 'remove', '--force', dir]);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      try {
        git(root, ['worktree', 'prune']);
      } catch {
        /* nothing left to prune */
      }
    }
  };
  log(`--against ${ref}: checking out ${short} in ${dir}`);
  git(root, ['worktree', 'add', '--detach', dir, sha]);
  try {
    if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    log(`--against ${ref}: building ${short}`);
    execFileSync(process.execPath, [join(dir, 'scripts/build.js')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  } catch (err) {
    cleanup();
    throw new Error(`--against ${ref}: build of ${short} failed: ${err.stderr?.toString().slice(-2000) ?? err.message}`, { cause: err });
  }
  return { ref, sha, short, root: dir, cleanup };
}
