/** Tags git-ml and MLflow set themselves (`mlflow.*`, `git-ml.*`), as opposed to the user's. */
export function isSystemTag(key: string): boolean {
  return key.startsWith('mlflow.') || key.startsWith('git-ml.');
}
