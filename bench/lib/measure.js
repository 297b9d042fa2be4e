// The pure parts of measuring on a shared machine: parsing what /proc says (a process's CPU, the
// machine's CPU, the load average, a process's TCP sockets) and summarising paired ratios. No I/O
// here, so test/bench-measure.test.ts can check each against fixed text.

export const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime in seconds from the text of /proc/<pid>/stat. */
export function parseProcessStat(text) {
  // Field 2 (comm) may contain spaces and parentheses; the fields after the last ')' are fixed:
  // state is field 3, utime field 14, stime field 15.
  const fields = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return (utime + stime) / CLOCK_TICKS;
}

/** Busy and total CPU seconds of the whole machine from the first ("cpu ") line of /proc/stat. */
export function parseMachineStat(text) {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user/nice]
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq;
  return { busy: busy / CLOCK_TICKS, total: (busy + idle + iowait + steal) / CLOCK_TICKS, steal: steal / CLOCK_TICKS };
}

/** The three load averages from /proc/loadavg. */
export function parseLoadavg(text) {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every(Number.isFinite)) return null;
  return { one, five, fifteen };
}

/**
 * Established TCP connections from the text of /proc/<pid>/net/tcp (or tcp6): local and remote port
 * and the socket inode, which /proc/<pid>/fd links name as `socket:[inode]`.
 */
export function parseTcpTable(text) {
  const out = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const localPort = Number.parseInt(f[1].split(':')[1] ?? '', 16);
    const remotePort = Number.parseInt(f[2].split(':')[1] ?? '', 16);
    const state = f[3];
    const inode = f[9];
    if (!Number.isFinite(localPort) || !Number.isFinite(remotePort)) continue;
    out.push({ localPort, remotePort, established: state === '01', inode });
  }
  return out;
}

/** Socket inodes from the targets of a process's /proc/<pid>/fd links. */
export function socketInodes(linkTargets) {
  const inodes = new Set();
  for (const t of linkTargets) {
    const m = /^socket:\[(\d+)\]$/.exec(t);
    if (m) inodes.add(m[1]);
  }
  return inodes;
}

/** Local ports of a process's established connections to `serverPort` (its database connections). */
export function clientPortsTo(serverPort, tcpRows, inodes) {
  return tcpRows.filter((r) => r.established && r.remotePort === serverPort && inodes.has(r.inode)).map((r) => r.localPort);
}

/** Median, min and max of finite numbers, or null. */
export function summarise(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

/**
 * Pair the runs of the current code with the runs of the reference, in the order they were taken
 * (run i of A with run i of B, taken back to back), and summarise current / reference. A failed run
 * (null figure) drops its pair, never shifts the others.
 */
export function pairedRatios(current, reference) {
  const ratios = [];
  for (let i = 0; i < Math.min(current.length, reference.length); i++) {
    const a = current[i];
    const b = reference[i];
    if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b !== 0) ratios.push(a / b);
  }
  return { ratios, summary: summarise(ratios) };
}

/** "1.23x (1.10-1.31, 3 pairs)" or "-" */
export function formatRatio(summary, digits = 2) {
  if (!summary) return '-';
  const f = (x) => `${x.toFixed(digits)}x`;
  return summary.n > 1 ? `${f(summary.median)} (${summary.min.toFixed(digits)}-${summary.max.toFixed(digits)}, ${summary.n} pairs)` : `${f(summary.median)} (1 pair)`;
}

/** Microseconds of CPU per delivery, or null when nothing was delivered. */
export function cpuPerDeliveryUs(cpuSeconds, deliveries) {
  if (!(deliveries > 0) || typeof cpuSeconds !== 'number') return null;
  return (cpuSeconds / deliveries) * 1e6;
}

/**
 * Did other work compete with a measurement? `otherCores` is the machine's busy CPU over the window
 * minus what the benchmark's own processes used, in cores. Either sign is enough: the 1-minute load
 * above the core count (processes waited for CPU), or more than a third of a core used by others.
 */
export function competition({ loadBefore, loadAfter, nproc, otherCores }) {
  const load = Math.max(loadBefore ?? 0, loadAfter ?? 0);
  const reasons = [];
  if (load > nproc) reasons.push(`load ${load.toFixed(1)} on ${nproc} cores`);
  if (typeof otherCores === 'number' && otherCores > 1 / 3) reasons.push(`other processes used ${Math.round(otherCores * 100)}% CPU`);
  return reasons.length ? `${reasons.join(', ')}: other work competed` : null;
}
