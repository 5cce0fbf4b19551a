import { NotFoundError, type Experiment, type MlClient } from '@git-ml/tracking';
import { shellQuote } from './output/shell.js';

/** The experiment with this name, else with this id (names win: an experiment may be named "42"); null if neither. */
export function findExperiment(client: MlClient, nameOrId: string): Experiment | null {
  const byName = client.getExperimentByName(nameOrId);
  if (byName) return byName;
  if (!/^\d+$/.test(nameOrId)) return null;
  try {
    return client.getExperiment(nameOrId);
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

export function mustFindExperiment(client: MlClient, nameOrId: string): Experiment {
  const exp = findExperiment(client, nameOrId);
  if (!exp) {
    throw new NotFoundError(`No experiment named '${nameOrId}' (nor with that id). List them with \`git-ml experiments list --all\`, or create it with \`git-ml experiments create ${shellQuote(nameOrId)}\`.`, {
      experiment: nameOrId,
    });
  }
  return exp;
}
