// The data directory (KEYWARD_DATA_DIR) holds the master key, the embedded database and its
// socket, and the CA and TLS files: it belongs to the user Keyward runs as and to no one else
// (issue 15: 969 of the 1,062 files of data/pglite were world-writable). Directories are 0700,
// so nobody else can even look inside; files that hold secrets are 0600 on top of that. The
// public CA certificates under ca/ keep 0644 (lib/ca/authorities.ts), harmlessly: the data
// directory itself already stops other users, and the same certificates are served over HTTP.
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Creates `dir` (with any missing parent) as 0700, or takes group and other permissions away
 * from an existing one, which earlier versions created 0755.
 */
export function ensurePrivateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // stat, not lstat: a data directory may be a symlink to a volume; the target is what counts.
  const { mode } = statSync(dir);
  if ((mode & 0o077) !== 0) chmodSync(dir, mode & 0o700);
}

/**
 * Takes group and other permissions away from everything under `dir` (which stays as it is):
 * directories become at most 0700, files 0600. Symbolic links are left alone, not followed.
 */
export function restrictTreeToOwner(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    const { mode } = lstatSync(file);
    if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700);
    if (entry.isDirectory()) restrictTreeToOwner(file);
  }
}
