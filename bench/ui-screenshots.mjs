#!/usr/bin/env node
// Screenshots of the web UI's main views for docs/ui.md, from the same data as its browser tests.
// Usage: npm run build && node bench/ui-screenshots.mjs  (needs Debian's chromium)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '@git-ml/server';
import { fillUiRepo, makeUiRepo } from './ui-data.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'ui');
mkdirSync(out, { recursive: true });
const repo = makeUiRepo(mkdtempSync(join(tmpdir(), 'git-ml-shots-')));
const fx = await fillUiRepo(repo, { steps: 400 });
const server = await startServer({ repo, port: 0 });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const shots = [
  ['experiments', '#/'],
  ['runs', `#/experiments/${fx.experimentId}?nested=0&cols=metrics.loss,metrics.val_accuracy,params.model,params.lr&order=${encodeURIComponent('metrics.val_accuracy DESC')}&sel=${fx.runIds.slice(0, 3).join(',')}`],
  ['run', `#/runs/${fx.bestId}`],
  ['artifacts', `#/runs/${fx.bestId}?tab=artifacts&path=${encodeURIComponent('model/MLmodel')}`],
  ['source', `#/runs/${fx.dirtyId}?tab=source`],
  ['charts', `#/charts?runs=${fx.runIds.join(',')}&keys=loss,val_accuracy&smooth=0.6`],
  ['compare', `#/compare?runs=${fx.runIds.slice(0, 5).join(',')}`],
  ['model', '#/models/churn-model?tab=history'],
];
for (const scheme of ['light', 'dark']) {
  for (const [name, hash] of scheme === 'dark' ? shots.filter(([n]) => n === 'runs' || n === 'charts') : shots) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: scheme });
    await page.goto(`${server.url}/${hash}`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, `${name}${scheme === 'dark' ? '-dark' : ''}.png`) });
    await page.close();
  }
}
await browser.close();
await server.close();
rmSync(repo, { recursive: true, force: true });
console.log(`screenshots in ${out}`);
