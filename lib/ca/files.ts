// Small file helpers for the certificates and keys lib/ca writes under the data directory.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";

/**
 * Replaces `file` atomically (write to a sibling, then rename) with exactly `mode`, so a reader or
 * a second instance sharing the directory never sees a half-written certificate or key.
 */
export async function writeFileAtomically(
  file: string,
  contents: string | Uint8Array,
  mode: number,
): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.writeFile(temporary, contents, { mode, flag: "wx" });
    await fs.chmod(temporary, mode); // the umask may have narrowed the mode; make it exact
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

export function ensureTrailingNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
