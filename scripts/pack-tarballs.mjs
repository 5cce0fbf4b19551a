#!/usr/bin/env node
// `npm run tarballs -- DEST`: one `npm pack` tarball per published workspace (not the private ones:
// test-support, the example flavor) into DEST, for installing git-ml elsewhere (docs/install.md).
// Prints npm pack's JSON (name, filename, files of each tarball). Build first (`npm run tarballs` does).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dest = process.argv[2];
if (!dest) {
  console.error('usage: npm run tarballs -- DEST   (the directory to write the .tgz files to)');
  process.exit(2);
}
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const names = workspaces
  .map((dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')))
  .filter((pkg) => !pkg.private)
  .map((pkg) => pkg.name);
mkdirSync(resolve(dest), { recursive: true });
const r = spawnSync('npm', ['pack', ...names.flatMap((n) => ['-w', n]), '--pack-destination', resolve(dest), '--json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
process.exit(r.status ?? 1);
