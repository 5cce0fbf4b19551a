import { userInfo } from 'node:os';
import type { GitConfig, Signature } from '@git-ml/gitstore';

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
export function gitIdentity(config: GitConfig): { name: string; email: string } {
  const name = process.env.GIT_AUTHOR_NAME || config.get('user.name') || osUser();
  const email = process.env.GIT_AUTHOR_EMAIL || config.get('user.email') || `${osUser()}@localhost`;
  return { name, email };
}

export function signatureNow(id: { name: string; email: string }, ms = Date.now()): Signature {
  return { ...id, timestamp: Math.floor(ms / 1000), timezoneOffset: -new Date(ms).getTimezoneOffset() };
}
