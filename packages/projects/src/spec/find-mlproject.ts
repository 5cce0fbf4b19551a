import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The MLproject file of a directory, matched case-insensitively (`MLproject` preferred), or null. */
export function findMlprojectFile(dir: string): string | null {
  const names = readdirSync(dir).filter((n) => n.toLowerCase() === 'mlproject');
  if (names.length === 0) return null;
  return join(dir, names.includes('MLproject') ? 'MLproject' : names.sort()[0]);
}
