// A request's logger, made when the request first writes a line. Fastify makes a pino child per
// request, bound to its request id. pino builds its redactor for paths that begin with a wildcard
// (`*.secret`, logger.ts) in non-strict mode, so each binding goes through every wildcard path, a
// plain string too: ~7 us and ~8 KB of garbage a request (one in nine bytes a paced delivery
// allocated, bench/), for a logger that at the default level rarely writes anything. This one keeps
// the bindings and makes the real child, redaction and all, on the first call at an enabled level;
// lines are the same as before.

import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LevelAware = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };

export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions = {}): FastifyBaseLogger {
  const levels = parent as LevelAware;
  // A route of its own level or serializers, or a logger that cannot say what is enabled: as before.
  if (typeof levels.isLevelEnabled !== 'function' || options.level !== undefined || options.serializers !== undefined) return parent.child(bindings, options);
  const isEnabled = levels.isLevelEnabled.bind(parent);
  let real: FastifyBaseLogger | null = null;
  const child = (): FastifyBaseLogger => (real ??= parent.child(bindings, options));
  const at =
    (level: Level): LogFn =>
    (...args: unknown[]) => {
      if (real === null && !isEnabled(level)) return;
      const target = child();
      Reflect.apply(target[level], target, args);
    };
  return {
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    silent: (() => undefined),
    child: (more: Bindings, moreOptions?: ChildLoggerOptions) => child().child(more, moreOptions),
    isLevelEnabled: (level: string) => ((real ?? parent) as LevelAware).isLevelEnabled?.(level) ?? false,
    get level() {
      return (real ?? parent).level;
    },
    set level(level: string) {
      child().level = level;
    },
  } as FastifyBaseLogger;
}
