import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Signature } from '@git-ml/gitstore';

function configValue(files: string[], section: string, key: string): string | undefined {
  let found: string | undefined;
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    let current = '';
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      const sec = /^\[\s*([^\s\]"]+)/.exec(line);
      if (sec) current = sec[1].toLowerCase();
      else if (current === section) {
        const m = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
        if (m && m[1].toLowerCase() === key) found = m[2].replace(/^"(.*)"$/, '$1');
      }
    }
  }
  return found;
}

/** The OS user name, as MLflow's `mlflow.user` (getpass.getuser()). */
let cachedUser: string | undefined;
export function osUser(): string {
  if (cachedUser) return cachedUser;
  try {
    cachedUser = process.env.LOGNAME || process.env.USER || userInfo().username || 'unknown';
  } catch {
    cachedUser = 'unknown';
  }
  return cachedUser;
}

/** The author of git-ml's commits: git's own rules (env, then repo and global config), then the OS user. */
export function gitIdentity(commonDir: string): { name: string; email: string } {
  const files = [join(homedir(), '.gitconfig'), join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'git', 'config'), join(commonDir, 'config')];
  const name = process.env.GIT_AUTHOR_NAME || configValue(files, 'user', 'name') || osUser();
  const email = process.env.GIT_AUTHOR_EMAIL || configValue(files, 'user', 'email') || `${osUser()}@localhost`;
  return { name, email };
}

export function signatureNow(id: { name: string; email: string }, ms = Date.now()): Signature {
  return { ...id, timestamp: Math.floor(ms / 1000), timezoneOffset: -new Date(ms).getTimezoneOffset() };
}
