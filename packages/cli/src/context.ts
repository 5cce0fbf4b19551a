import { RegistryClient } from '@git-ml/registry';
import { MlClient } from '@git-ml/tracking';
import type { Command } from 'commander';
import type { Io } from './io.js';

/** What every command gets: the streams, and a way to open the repository named by the global --repo. */
export interface CliContext {
  io: Io;
  /** Opens a client for `--repo` (or the repository around the cwd), runs `fn`, and always closes it. */
  withClient<T>(cmd: Command, fn: (client: MlClient) => T | Promise<T>): Promise<T>;
  /** Like `withClient`, with a model registry client sharing that tracking client. */
  withRegistry<T>(cmd: Command, fn: (registry: RegistryClient, client: MlClient) => T | Promise<T>): Promise<T>;
}

export function createContext(io: Io): CliContext {
  const ctx: CliContext = {
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
    withRegistry(cmd, fn) {
      // the registry does not own the shared tracking client: withClient closes it
      return ctx.withClient(cmd, (client) => fn(new RegistryClient({ tracking: client }), client));
    },
  };
  return ctx;
}
