import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The directory holding the built single-page app (index.html and hashed assets). */
export const uiDir = fileURLToPath(new URL('./dist/', import.meta.url));

/** Whether the app has been built (`npm run build` in packages/ui). */
export function uiBuilt() {
  return existsSync(new URL('./dist/index.html', import.meta.url));
}
