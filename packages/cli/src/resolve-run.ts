import { AmbiguousRunIdError, GitMlError, type MlClient } from '@git-ml/tracking';
import { formatTime } from './output/format.js';

/** candidates described with their name, status and start (each record read once) */
const DESCRIBED = 10;

/**
 * The full id of the run `text` names: an id, or a unique prefix of one (`MlClient.resolveRunId`).
 * When the prefix is ambiguous, the error lists the candidates with their name, status and start,
 * so the right one can be picked without another command.
 */
export function resolveRun(client: MlClient, text: string): string {
  try {
    return client.resolveRunId(text);
  } catch (err) {
    if (!(err instanceof AmbiguousRunIdError)) throw err;
    const candidates = err.data.candidates as string[];
    const lines = candidates.slice(0, DESCRIBED).map((id) => {
      try {
        const { info } = client.getRun(id);
        return `  ${id}  ${info.run_name}  ${info.status}  ${formatTime(info.start_time)}`;
      } catch {
        return `  ${id}`; // an unreadable record still counts as a candidate
      }
    });
    if (candidates.length > DESCRIBED) lines.push(`  … and ${candidates.length - DESCRIBED} more`);
    throw new GitMlError(err.code, `${err.message.split('\n')[0]}\n${lines.join('\n')}`, err.data, { cause: err });
  }
}
