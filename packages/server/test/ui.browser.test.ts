/**
 * The web UI in a real browser: Debian's Chromium driven by Playwright, against a real git-ml server
 * on a real repository filled by the SDK. Each view opens, the filter filters, the sort sorts, the
 * chart draws the logged points, the artifact preview shows the file, links round-trip.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type TrackingServer } from '@git-ml/server';
import { MlClient } from '@git-ml/tracking';
import { removeTempDirs, tempDir } from '@git-ml/test-support';
// plain-JS fixture shared with the UI benchmark and the docs' screenshots
// @ts-expect-error no type declarations for the .mjs fixture
import { fillUiRepo, makeUiRepo } from '../../../bench/ui-data.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

interface Fixture {
  experimentId: string;
  parentId: string;
  runIds: string[];
  bestId: string;
  dirtyId: string;
  liveId: string;
}

describe.skipIf(!hasChromium)(`web UI in Chromium${hasChromium ? '' : ` (skipped: no browser at ${CHROMIUM}; apt-get install chromium, as .ci/run does)`}`, () => {
  let server: TrackingServer & { url: string };
  let browser: Browser;
  let fx: Fixture;
  let repo: string;

  beforeAll(async () => {
    repo = makeUiRepo(tempDir('gitml-ui-'));
    fx = await fillUiRepo(repo);
    server = await startServer({ repo, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    removeTempDirs();
  });

  async function open(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // a missing element fails the test in 15 s with its locator named, not at the 60 s test timeout
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    (page as Page & { errors: string[] }).errors = errors;
    await page.goto(`${server.url}/${hash}`);
    return page;
  }

  const rowNames = (page: Page) => page.locator('[data-testid=runs-table] .vt-row:not(.loading) .vt-cell:nth-child(2) a').allInnerTexts();

  it('lists experiments with their run counts', async () => {
    const page = await open('#/');
    const row = page.locator('[data-testid=experiments] tr', { hasText: 'churn' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('td').nth(2).innerText()).toBe('9');
    await page.fill('input[type=search]', 'empty');
    await expect.poll(() => page.locator('[data-testid=experiments] tbody tr').allInnerTexts()).toEqual([expect.stringContaining('empty-experiment')]);
    expect(page.url()).toContain('q=empty');
    await page.close();
  });

  it('groups nested runs under their parent, and expands them', async () => {
    const page = await open(`#/experiments/${fx.experimentId}`);
    await expect.poll(() => rowNames(page)).toEqual(['live', 'dirty-edit', 'sweep']);
    await page.locator('.expander', { hasText: '▸' }).click();
    await expect.poll(async () => (await rowNames(page)).length).toBe(9);
    await page.getByLabel('group nested').uncheck();
    await expect.poll(() => page.getByTestId('run-count').innerText()).toBe('9 runs');
    await page.close();
  });

  it('sorts by a column header on the server, both ways', async () => {
    const page = await open(`#/experiments/${fx.experimentId}?nested=0`);
    await expect.poll(async () => (await rowNames(page)).length).toBe(9);
    const client = new MlClient({ repo });
    const byLoss = client.searchRuns(fx.experimentId, '', { orderBy: ['metrics.loss ASC'] }).runs.map((r) => r.info.run_name);
    client.close();
    await page.locator('.vt-head [data-col="metrics.loss"]').click();
    await expect.poll(() => rowNames(page)).toEqual(byLoss);
    expect(new URLSearchParams(page.url().split('?')[1]).get('order')).toBe('metrics.loss ASC');
    await page.locator('.vt-head [data-col="metrics.loss"]').click();
    await expect.poll(async () => (await rowNames(page))[0]).toBe(byLoss.filter((n) => n !== 'sweep').at(-1));
    await page.close();
  });

  it('filters with the search grammar (OR, parentheses) and points at the wrong character', async () => {
    const page = await open(`#/experiments/${fx.experimentId}?nested=0`);
    const box = page.getByLabel('filter');
    await box.fill("params.model = 'gbt' AND (params.lr = '0.3' OR params.lr = '0.03')");
    await box.press('Enter');
    await expect.poll(() => rowNames(page)).toEqual(expect.arrayContaining(['gbt-1', 'gbt-4']));
    expect((await rowNames(page)).length).toBe(2);
    await box.fill('metrics.loss >> 1');
    await box.press('Enter');
    const err = page.getByTestId('filter-error');
    await expect.poll(() => err.count()).toBe(1);
    const caret = await err.locator('.caret').innerText();
    const api = await fetch(`${server.url}/ajax-api/2.0/git-ml/runs/window?experiment_ids=${fx.experimentId}&filter=${encodeURIComponent('metrics.loss >> 1')}`).then((r) => r.json());
    expect(caret.indexOf('^')).toBe(api.details.position);
    expect(caret.indexOf('^')).toBeGreaterThan(10);
    await page.close();
  });

  it('remembers picked columns and keeps the view in the URL', async () => {
    const page = await open(`#/experiments/${fx.experimentId}?nested=0`);
    await page.getByText('Columns…').click();
    const picker = page.getByTestId('column-picker');
    await picker.getByLabel('n_estimators').check();
    await page.getByText('Done').click();
    await expect.poll(() => page.locator('.vt-head [data-col="params.n_estimators"]').count()).toBe(1);
    // a new tab without cols in the URL: the choice is remembered
    const again = await browser.newPage();
    await again.goto(`${server.url}/#/experiments/${fx.experimentId}`);
    await expect.poll(() => again.locator('.vt-head [data-col="params.n_estimators"]').count()).toBe(1);
    // a pasted link restores filter, sort and columns
    const link = `#/experiments/${fx.experimentId}?nested=0&filter=${encodeURIComponent("params.model = 'logreg'")}&order=${encodeURIComponent('params.lr DESC')}&cols=params.lr`;
    const pasted = await open(link);
    await expect.poll(() => rowNames(pasted)).toEqual(['logreg-3', 'logreg-0']);
    expect(await pasted.getByLabel('filter').inputValue()).toBe("params.model = 'logreg'");
    expect(await pasted.locator('.vt-head .sorted').innerText()).toContain('lr');
    for (const p of [page, again, pasted]) await p.close();
  });

  it('scrolls 2 000 runs virtually, loading only what is on screen', async () => {
    const client = new MlClient({ repo });
    const exp = client.createExperiment('big');
    for (let i = 0; i < 2000; i++) client.createRun(exp, { runName: `r${String(i).padStart(4, '0')}`, startTime: 1_700_000_000_000 + i, ownedByProcess: false });
    client.flush();
    client.close();
    const page = await open(`#/experiments/${exp}?order=${encodeURIComponent('attributes.run_name ASC')}`);
    await expect.poll(() => page.getByTestId('run-count').innerText(), { timeout: 20_000 }).toBe('2,000 runs (top level)');
    expect(await page.locator('.vt-row').count()).toBeLessThan(80);
    await page.getByTestId('runs-table').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(async () => (await rowNames(page)).at(-1), { timeout: 10_000 }).toBe('r1999');
    expect(await page.locator('.vt-row').count()).toBeLessThan(80);
    await page.close();
  });

  it('shows a run: metrics with min/max, params, registered versions', async () => {
    const page = await open(`#/runs/${fx.bestId}`);
    const loss = page.getByTestId('metrics').locator('tr', { hasText: 'loss' }).first();
    await expect.poll(() => loss.locator('td').nth(4).innerText()).toBe('200');
    expect(await loss.locator('svg polyline').count()).toBe(1);
    expect(await page.getByTestId('params').innerText()).toContain('n_estimators');
    await expect.poll(() => page.getByText('@champion').count()).toBe(1);
    await page.close();
  });

  it('browses artifacts and previews JSON, CSV, SVG and a model signature', async () => {
    const page = await open(`#/runs/${fx.bestId}?tab=artifacts`);
    const tree = page.getByTestId('artifact-tree');
    await tree.locator('[data-path=eval]').click();
    await tree.locator('[data-path="eval/metrics.json"]').click();
    await expect.poll(() => page.getByTestId('preview').innerText()).toContain('"accuracy": 0.905');
    await tree.locator('[data-path="eval/history.csv"]').click();
    await expect.poll(() => page.getByTestId('preview').locator('tbody tr').count()).toBe(3);
    await tree.locator('[data-path=plots]').click();
    await tree.locator('[data-path="plots/roc.svg"]').click();
    await expect.poll(() => page.getByTestId('preview').locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(120);
    await tree.locator('[data-path=model]').click();
    await tree.locator('[data-path="model/MLmodel"]').click();
    // MLflow's MLmodel as PyYAML writes it: a wrapped signature line, a tensor spec
    await expect.poll(() => page.getByTestId('signature').innerText()).toContain('monthly_charges: double');
    expect(await page.getByTestId('signature').innerText()).toContain('int64[-1]');
    // the download link serves the file itself
    const href = await page.getByText('download').getAttribute('href');
    const body = await fetch(`${server.url}/${href}`).then((r) => r.text());
    expect(body).toContain('artifact_path: model');
    await page.close();
  });

  it("shows a dirty run's snapshot diff against the commit it was based on", async () => {
    // the server's answer first, so a failure says which side is wrong
    const api = await fetch(`${server.url}/ajax-api/2.0/git-ml/runs/source?run_id=${fx.dirtyId}`).then((r) => r.json());
    expect(api).toMatchObject({ dirty: true, diff: expect.stringContaining('+learning_rate = 0.3') });
    const page = await open(`#/runs/${fx.dirtyId}?tab=source`);
    await expect.poll(() => page.getByTestId('diff').innerText()).toContain('+learning_rate = 0.3');
    expect(await page.getByTestId('diff').innerText()).toContain('-learning_rate = 0.1');
    await page.close();
  });

  it('charts every logged point of several runs, and zooms from the URL', async () => {
    const page = await open(`#/charts?runs=${fx.runIds.join(',')}&keys=loss`);
    const chart = page.getByTestId('chart-loss');
    await expect.poll(() => chart.getAttribute('data-points')).toBe(String(6 * 200));
    await expect.poll(() => page.evaluate(() => performance.getEntriesByName('git-ml:charts-drawn').length)).toBe(1);
    // the canvas really has lines on it
    const inked = await chart.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    await page.selectOption('select', 'relative');
    expect(page.url()).toContain('x=relative');
    const zoomed = await open(`#/charts?runs=${fx.runIds[0]}&keys=loss&zoom=10,20&log=1&smooth=0.5`);
    await expect.poll(() => zoomed.getByTestId('chart-loss').locator('.u-legend').count()).toBe(1);
    expect(await zoomed.getByLabel('log scale').isChecked()).toBe(true);
    expect(await zoomed.getByText('Reset zoom').count()).toBe(1);
    expect((zoomed as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
    await zoomed.close();
  });

  it('updates a running run live', async () => {
    const page = await open(`#/charts?runs=${fx.liveId}&keys=loss`);
    const chart = page.getByTestId('chart-loss');
    await expect.poll(() => chart.getAttribute('data-points')).toBe('1');
    const res = await fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ run_id: fx.liveId, metrics: [1, 2, 3].map((s) => ({ key: 'loss', value: 0.9 - s / 10, step: s, timestamp: Date.now() })) }),
    });
    expect(res.status).toBe(200);
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 10_000 }).toBe('4');
    await page.close();
  });

  it('compares runs: differences highlighted, parallel coordinates, scatter', async () => {
    const ids = fx.runIds.slice(0, 4);
    const page = await open(`#/compare?runs=${ids.join(',')}`);
    await expect.poll(() => page.locator('[data-key="params.lr"]').getAttribute('class')).toBe('differs');
    expect(await page.getByTestId('parallel-coordinates').locator('g[data-run]').count()).toBe(4);
    expect(await page.getByTestId('scatter').locator('circle').count()).toBe(4);
    await page.getByLabel('only rows that differ').check();
    expect(page.url()).toContain('diff=1');
    await page.close();
  });

  it('shows the registry: models, versions with aliases and runs, the history timeline', async () => {
    const page = await open('#/models');
    await expect.poll(() => page.getByTestId('models').innerText()).toContain('@champion → v2');
    await page.getByText('churn-model').click();
    const v2 = page.getByTestId('versions').locator('tr', { hasText: 'v2' });
    await expect.poll(() => v2.innerText()).toContain('@champion');
    expect(await v2.locator('a').getAttribute('href')).toBe(`#/runs/${fx.bestId}`);
    await page.getByText('history').click();
    await expect.poll(() => page.getByTestId('history').locator('.ev').count()).toBeGreaterThanOrEqual(4);
    await page.close();
  });

  it('keeps a LIKE filter with % through the URL, and clears it with the box', async () => {
    const page = await open(`#/experiments/${fx.experimentId}?nested=0&filter=${encodeURIComponent("params.n_estimators LIKE '%00'")}`);
    await expect.poll(() => rowNames(page)).toEqual(expect.arrayContaining(['gbt-1', 'logreg-3', 'mlp-5']));
    expect((await rowNames(page)).length).toBe(3);
    expect(await page.getByLabel('filter').inputValue()).toBe("params.n_estimators LIKE '%00'");
    await page.getByLabel('filter').fill('');
    await expect.poll(() => page.getByTestId('run-count').innerText()).toBe('9 runs');
    // a malformed link says so instead of leaving the last view on screen
    await page.goto(`${server.url}/#/runs/%E0%A4%A`);
    await expect.poll(() => page.getByText('This link is malformed').count()).toBe(1);
    await page.close();
  });

  it('shows new runs as they are written, and "None" columns stay none', async () => {
    const client = new MlClient({ repo });
    const exp = client.createExperiment('growing');
    const first = client.createRun(exp, { runName: 'first', ownedByProcess: false });
    client.setTerminated(first.info.run_id);
    client.flush();
    const page = await open(`#/experiments/${exp}`);
    await expect.poll(() => rowNames(page)).toEqual(['first']);
    client.createRun(exp, { runName: 'second', ownedByProcess: false });
    client.flush();
    client.close();
    await expect.poll(() => rowNames(page), { timeout: 15_000 }).toEqual(['second', 'first']);
    await page.getByText('Columns…').click();
    await page.getByTestId('column-picker').getByText('None').click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('column-picker').count()).toBe(0);
    await page.reload();
    await expect.poll(() => rowNames(page)).toEqual(['second', 'first']);
    expect(await page.locator('.vt-head [data-col^="metrics."], .vt-head [data-col^="params."]').count()).toBe(0);
    await page.close();
  });

  it('lists the models a run logged with their signatures, and an order_by error apart from the filter', async () => {
    const page = await open(`#/runs/${fx.bestId}`);
    await expect.poll(() => page.getByTestId('logged-models').innerText()).toContain('model');
    expect(await page.getByTestId('logged-models').innerText()).toContain('monthly_charges: double');
    const bad = await open(`#/experiments/${fx.experimentId}?order=${encodeURIComponent('metrics.loss SIDEWAYS')}`);
    await expect.poll(() => bad.getByTestId('order-error').count()).toBe(1);
    expect(await bad.getByTestId('filter-error').count()).toBe(0);
    await bad.getByText('reset the sort').click();
    await expect.poll(async () => (await rowNames(bad)).length).toBe(3);
    await page.close();
    await bad.close();
  });
});
