// The pure parts of the benchmark's measurements (bench/lib/measure.js): /proc parsing, the search
// for a process's database connections, paired ratios and the competition flag. Behaviour only:
// nothing here times anything.

import { describe, expect, it } from 'vitest';
import {
  clientPortsTo,
  competition,
  cpuPerDeliveryUs,
  formatRatio,
  pairedRatios,
  parseLoadavg,
  parseMachineStat,
  parseProcessStat,
  parseTcpTable,
  socketInodes,
  summarise,
} from '../bench/lib/measure.js';

describe('/proc parsing', () => {
  it('reads utime + stime from /proc/<pid>/stat, also when the command name holds spaces and parentheses', () => {
    // utime 250 and stime 50 ticks (fields 14 and 15) -> 3 s at 100 ticks/s.
    const rest = 'S 1 1 1 0 -1 4194304 129 0 0 0 250 50 0 0 20 0 1 0 426292 3133440 389';
    expect(parseProcessStat(`4242 (node) ${rest}`)).toBe(3);
    expect(parseProcessStat(`4242 (my (odd) name) ${rest}`)).toBe(3);
    expect(parseProcessStat('4242 (gone)')).toBeNull();
  });

  it('reads the machine busy and total time from the cpu line of /proc/stat', () => {
    const m = parseMachineStat('cpu  1000 10 300 5000 100 0 40 50 0 0\ncpu0 500 5 150 2500 50 0 20 25 0 0\n');
    expect(m).toEqual({ busy: 13.5, total: 65, steal: 0.5 });
    expect(parseMachineStat('intr 1 2 3')).toBeNull();
  });

  it('reads the load averages', () => {
    expect(parseLoadavg('1.00 0.79 0.72 3/201 16834\n')).toEqual({ one: 1, five: 0.79, fifteen: 0.72 });
    expect(parseLoadavg('')).toBeNull();
  });

  it("finds a process's established connections to the database port by socket inode", () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      // listening socket on 5432: not a client connection
      '   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 7001 1 0 100 0 0 10 0',
      // 127.0.0.1:40000 -> 127.0.0.1:5432, established, ours
      '   1: 0100007F:9C40 0100007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 7002 1 0 20 4 30 10 -1',
      // 127.0.0.1:40001 -> 5432, established, another process's
      '   2: 0100007F:9C41 0100007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 7003 1 0 20 4 30 10 -1',
      // ours, but to the receiver (port 8080)
      '   3: 0100007F:9C42 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 7004 1 0 20 4 30 10 -1',
      // ours, to 5432, but closing (TIME_WAIT)
      '   4: 0100007F:9C43 0100007F:1538 06 00000000:00000000 00:00000000 00000000     0        0 7005 1 0 20 4 30 10 -1',
    ].join('\n');
    const rows = parseTcpTable(tcp);
    expect(rows).toHaveLength(5);
    const inodes = socketInodes(['socket:[7002]', 'socket:[7004]', 'socket:[7005]', 'pipe:[12]', '/dev/null', 'anon_inode:[eventpoll]']);
    expect([...inodes]).toEqual(['7002', '7004', '7005']);
    expect(clientPortsTo(5432, rows, inodes)).toEqual([40000]);
  });
});

describe('paired ratios', () => {
  it('divides run i of the current code by run i of the reference and summarises the ratios', () => {
    const { ratios, summary } = pairedRatios([200, 330, 100], [100, 300, 100]);
    expect(ratios).toEqual([2, 1.1, 1]);
    expect(summary).toEqual({ median: 1.1, min: 1, max: 2, n: 3 });
    expect(formatRatio(summary)).toBe('1.10x (1.00-2.00, 3 pairs)');
  });

  it('drops a pair with a failed run instead of shifting the others', () => {
    const { ratios } = pairedRatios([100, null, 300, 400], [50, 100, null, 200]);
    expect(ratios).toEqual([2, 2]);
    expect(pairedRatios([1], [0]).summary).toBeNull();
    expect(formatRatio(null)).toBe('-');
    expect(formatRatio(pairedRatios([3], [2]).summary)).toBe('1.50x (1 pair)');
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(summarise([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(summarise([null, undefined, Number.NaN])).toBeNull();
  });
});

describe('CPU per delivery and the competition flag', () => {
  it('states CPU seconds per delivery in microseconds', () => {
    expect(cpuPerDeliveryUs(2, 10_000)).toBe(200);
    expect(cpuPerDeliveryUs(2, 0)).toBeNull();
    expect(cpuPerDeliveryUs(null, 10)).toBeNull();
  });

  it('flags a window when the load exceeds the cores or other processes used CPU', () => {
    expect(competition({ loadBefore: 0.8, loadAfter: 1.5, nproc: 2, otherCores: 0.05 })).toBeNull();
    expect(competition({ loadBefore: 1.2, loadAfter: 3.4, nproc: 2, otherCores: 0.1 })).toBe('load 3.4 on 2 cores: other work competed');
    expect(competition({ loadBefore: 1, loadAfter: 1, nproc: 2, otherCores: 0.9 })).toBe('other processes used 90% CPU: other work competed');
    expect(competition({ loadBefore: null, loadAfter: null, nproc: 2, otherCores: null })).toBeNull();
  });
});
