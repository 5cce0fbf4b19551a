import { MlClient } from '@git-ml/tracking';
import type { Command } from 'commander';
import type { Io } from './io.js';

/** What every command gets: the streams, and a way to open the repository named by the global --repo. */
export interface CliContext {
  io: Io;
  /** Opens a client for `--repo` (or the repository around the cwd), runs `fn`, and always closes it. */
  withClient<T>(cmd: Command, fn: (client: MlClient) => T | Promise<T>): Promise<T>;
}

export function createContext(io: Io): CliContext {
  return {
    io,
    async withClient(cmd, fn) {
      const { repo } = cmd.optsWithGlobals<{ repo?: string }>();
      const client = new MlClient({ repo });
      let failed = false;
      try {
        return await fn(client);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        try {
          client.close();
        } catch (err) {
          // the command's own error says more; a failed fold is retried by the next command anyway
          if (!failed) throw err;
        }
      }
    },
  };
}
