// What a database's recorded migrations say about the build opening it. Versions alone were
// compared, so a database migrated by another build (a newer release, or a branch whose migration 15
// is a different table) looked up to date and failed later on a missing column, or, worse, had its
// next migration skipped. Both adapters check the recorded (version, name) pairs against their own
// list before applying anything, inside the migration lock.

export interface MigrationName {
  version: number;
  name: string;
}

export class MigrationMismatchError extends Error {
  readonly code = 'migration_mismatch';
  constructor(message: string) {
    super(message);
    this.name = 'MigrationMismatchError';
  }
}

/** Null when every recorded migration is one of ours under the same name; else what is wrong and what to do. */
export function migrationMismatch(recorded: readonly MigrationName[], known: readonly MigrationName[]): string | null {
  const ours = new Map(known.map((m) => [m.version, m.name]));
  const newest = Math.max(0, ...known.map((m) => m.version));
  for (const r of [...recorded].sort((a, b) => a.version - b.version)) {
    const name = ours.get(r.version);
    if (name === undefined) {
      return r.version > newest
        ? `The database was migrated by a newer hookd (migration ${r.version}, "${r.name}"; this build knows up to ${newest}). Run that version or a newer one against it, or restore a backup taken before the upgrade.`
        : `The database records migration ${r.version} ("${r.name}"), which this build does not have. It was migrated by a different build; open it with that build.`;
    }
    if (name !== r.name) {
      return `The database's migration ${r.version} is "${r.name}", this build's is "${name}": it was migrated by a different build of hookd. Open it with that build, or start from an empty database.`;
    }
  }
  return null;
}
