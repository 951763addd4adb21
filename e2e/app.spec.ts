// The built site with the demo model, driven like a user would.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { E2E_MODEL_DIR, SCREENSHOT_DIR } from './paths';
import { demoModelShards, expect, heatmapValues, nodeCosines, nodeEncoder, openApp, test } from './fixtures';

const THREE = ['A man is playing a guitar.', 'Someone plays an instrument on stage.', 'The stock market fell today.'];

async function typeSentences(page: import('@playwright/test').Page, sentences: string[]) {
  await page.getByLabel('Sentence 1', { exact: true }).fill(sentences[0]);
  for (let i = 1; i < sentences.length; i++) {
    await page.getByRole('button', { name: 'Add sentence' }).click();
    await page.getByLabel(`Sentence ${i + 1}`, { exact: true }).pressSequentially(sentences[i]);
  }
}

for (const backend of ['wasm', 'webgl', 'webgpu'] as const) {
  test(`typed sentences give the Node cosines on ${backend}`, async ({ page }) => {
    await openApp(page, { backend, sentences: ['placeholder'] });
    await expect(page.getByTestId('backend')).toHaveText(backend);
    await typeSentences(page, THREE);
    const shown = await heatmapValues(page, 3);
    const expected = await nodeCosines(THREE);
    for (let i = 0; i < 3; i++) {
      await expect(page.locator(`[data-cell="${i}-${i}"]`)).toHaveText('1.00');
      for (let j = 0; j < 3; j++) expect(Math.abs(shown[i][j] - expected[i][j]), `cell ${i},${j}`).toBeLessThan(1e-3);
    }
    await expect(page.locator('[data-cell="0-2"]')).toHaveText(shown[0][2].toFixed(2));
    await expect(page.getByTestId('demo-notice')).toBeVisible();
    if (backend === 'wasm') {
      await page.locator('.heatmap').screenshot({ path: path.join(SCREENSHOT_DIR, 'heatmap.png') });
      await page.locator('.scatter').screenshot({ path: path.join(SCREENSHOT_DIR, 'map.png') });
      await page.locator('.vectors').screenshot({ path: path.join(SCREENSHOT_DIR, 'tokens.png') });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'page.png'), fullPage: true });
      // The pooling control re-embeds: [CLS] vectors, not normalised.
      await page.getByLabel('Pooling').selectOption('cls');
      await page.getByLabel('Normalise vectors').uncheck();
      await expect(page.locator('[data-cell="0-1"]')).not.toHaveAttribute('data-value', String(shown[0][1]));
      const cls = await heatmapValues(page, 3);
      const expectedCls = await nodeCosines(THREE, 'cls', false);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(cls[i][j] - expectedCls[i][j]), `cls cell ${i},${j}`).toBeLessThan(1e-3);
    }
  });
}

test('a host without the COOP/COEP headers gets one wasm thread, says why, and embeds the same', async ({ page }) => {
  await page.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  await openApp(page, { backend: 'wasm', sentences: THREE });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId('backend-reason')).toContainText('not cross-origin isolated');
  const shown = await heatmapValues(page, 3);
  const expected = await nodeCosines(THREE);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(shown[i][j] - expected[i][j]), `cell ${i},${j}`).toBeLessThan(1e-3);
});

test('pasting 50 sentences never blocks the main thread for more than 200 ms', async ({ page }) => {
  await page.addInitScript(() => {
    const durations: number[] = [];
    (window as unknown as { longTasks: number[] }).longTasks = durations;
    new PerformanceObserver((list) => list.getEntries().forEach((entry) => durations.push(entry.duration))).observe({ type: 'longtask', buffered: true });
  });
  await openApp(page);
  await heatmapValues(page, 5);
  const fifty = Array.from({ length: 50 }, (_, i) => `Sentence number ${i + 1} talks about topic ${['cats', 'stocks', 'hiking', 'music', 'food'][i % 5]}.`);
  await page.getByText('Paste many (one per line)').click();
  await page.getByLabel('Sentences to add, one per line').fill(fifty.join('\n'));
  await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.splice(0));
  await page.getByRole('button', { name: 'Replace all' }).click();
  await heatmapValues(page, 50);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  expect(Math.max(0, ...longTasks), `long tasks: ${longTasks.join(', ')} ms`).toBeLessThanOrEqual(200);
  await page.locator('[data-cell="3-7"]').hover();
  await expect(page.getByTestId('heatmap-readout')).toContainText('#4');
  await page.locator('.heatmap').screenshot({ path: path.join(SCREENSHOT_DIR, 'heatmap-50.png') });
});

test('a second visit embeds with the model files unavailable (browser cache)', async ({ page, context }) => {
  await openApp(page, { sentences: THREE });
  const firstVisit = await heatmapValues(page, 3);
  await page.close();
  await context.route('**/model/**', (route) => route.abort('internetdisconnected'));
  const second = await context.newPage();
  await openApp(second, { sentences: THREE });
  expect(await heatmapValues(second, 3)).toEqual(firstVisit);
});

test('after the first visit a reload works offline (service worker + model cache)', async ({ page, context }) => {
  await openApp(page, { sentences: THREE });
  const firstVisit = await heatmapValues(page, 3);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('model-info')).toBeVisible();
  expect(await heatmapValues(page, 3)).toEqual(firstVisit);
});

test('model loading shows its progress in bytes', async ({ page }) => {
  const shards = await demoModelShards();
  // Hold the weights back for a moment so the progress bar can be read.
  await page.route(`**/model/*.bin`, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.goto('./#backend=wasm');
  let totalBytes = 0;
  for (const shard of shards) totalBytes += (await stat(path.join(E2E_MODEL_DIR, shard))).size;
  await expect(page.getByTestId('model-loading')).toContainText(`0.0 MB of ${(totalBytes / 1e6).toFixed(1)} MB`);
  await expect(page.getByRole('progressbar')).toHaveAttribute('max', String(totalBytes));
  await expect(page.getByTestId('model-info')).toBeVisible();
});

test('a missing weight shard shows what failed, and the page stays usable', async ({ page }) => {
  const [shard] = await demoModelShards();
  await page.route(`**/model/${shard}`, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('./#backend=wasm');
  const error = page.getByTestId('model-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText(shard);
  await expect(error).toContainText('What to do');
  // Still usable: sentences can be edited, and the model loads once the shard is back.
  await page.getByRole('button', { name: 'Add sentence' }).click();
  await page.getByLabel('Sentence 6', { exact: true }).fill('Still typing while the model is broken.');
  await page.unroute(`**/model/${shard}`);
  await error.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('model-info')).toBeVisible();
  await heatmapValues(page, 6);
});

test('keyboard only: add a sentence and read its similarity', async ({ page }) => {
  await openApp(page, { sentences: THREE });
  await heatmapValues(page, 3);
  const focusedName = () => page.evaluate(() => document.activeElement?.textContent ?? '');
  for (let presses = 0; (await focusedName()) !== 'Add sentence'; presses++) {
    expect(presses, 'Tab never reached "Add sentence"').toBeLessThan(60);
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  // Focus moves to the new field once React has rendered it; type only then, as a keyboard user would.
  await expect(page.getByLabel('Sentence 4', { exact: true })).toBeFocused();
  await page.keyboard.type('A person strums a guitar.');
  await expect(page.getByLabel('Sentence 4', { exact: true })).toHaveValue('A person strums a guitar.');
  await heatmapValues(page, 4);
  // Tab on to the heatmap (one tab stop), then arrows to row 4, column 1.
  for (let presses = 0; !(await page.evaluate(() => document.activeElement?.hasAttribute('data-cell'))); presses++) {
    expect(presses, 'Tab never reached the heatmap').toBeLessThan(60);
    await page.keyboard.press('Tab');
  }
  for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown']) await page.keyboard.press(key);
  await expect(page.locator('[data-cell="3-0"]')).toBeFocused();
  // Typing is debounced, so a partly typed sentence may have been embedded first: the readout must show the
  // cell's value once the last keystroke's embedding has landed.
  await expect(async () => {
    const value = Number(await page.locator('[data-cell="3-0"]').getAttribute('data-value'));
    await expect(page.getByTestId('heatmap-readout')).toHaveText(`#4 “A person strums a guitar.” × #1 “${THREE[0]}”: ${value.toFixed(2)}`, { timeout: 1000 });
  }).toPass();
});

test('semantic search ranks a pasted corpus', async ({ page }) => {
  await openApp(page);
  await page.getByRole('button', { name: 'Semantic search' }).click();
  const corpus = Array.from({ length: 40 }, (_, i) => `Line ${i}: ${['a cat on a mat', 'stocks fell', 'a long hike', 'a piano concert'][i % 4]}`);
  await page.getByLabel(/Corpus/).fill(corpus.join('\n'));
  await page.getByRole('button', { name: /Embed corpus/ }).click();
  await expect(page.getByText('40 lines embedded')).toBeVisible();
  await page.getByLabel('Query', { exact: true }).fill(corpus[6]);
  const results = page.getByRole('list', { name: 'Corpus ranked by similarity to the query' });
  await expect(results.locator('li').first()).toContainText(corpus[6]);
  await expect(results.locator('li').first()).toContainText('1.000');
  await page.locator('.search').screenshot({ path: path.join(SCREENSHOT_DIR, 'search.png') });
});

test('a model directory picked from disk loads, and the corpus embedding shows progress and can be cancelled', async ({ page, context }) => {
  await openApp(page);
  await page.getByText('Use another model').click();
  await page.getByLabel('Or pick a converted model directory from disk').setInputFiles(E2E_MODEL_DIR);
  await expect(page.getByTestId('model-info')).toContainText('picked files (group1-shard1of1.bin, model.json, vocab.txt)');
  await heatmapValues(page, 5);

  await page.getByRole('button', { name: 'Semantic search' }).click();
  const corpus = Array.from({ length: 5000 }, (_, i) => `Entry ${i} of a long corpus about ${['cats', 'markets', 'hiking'][i % 3]}`);
  // Pasted through the clipboard as a user would (typing 5,000 lines with fill() takes minutes).
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((text) => navigator.clipboard.writeText(text), corpus.join('\n'));
  await page.getByLabel(/Corpus/).focus();
  await page.keyboard.press('Control+V');
  await page.getByRole('button', { name: 'Embed corpus (5000 lines)' }).click();
  const progress = page.getByRole('status').filter({ hasText: '/ 5000' });
  await expect(progress).toHaveText(/^[1-9]\d* \/ 5000$/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Embed corpus (5000 lines)' })).toBeEnabled();
  await expect(page.getByLabel('Query', { exact: true })).toBeDisabled();
});

test('sentences and options survive a reload and travel in the URL; vectors download as CSV', async ({ page }) => {
  await openApp(page, { sentences: THREE, pooling: 'cls', normalize: false });
  await page.getByLabel('Sentence 2', { exact: true }).fill('Edited second sentence.');
  const edited = [THREE[0], 'Edited second sentence.', THREE[2]];
  await heatmapValues(page, 3);
  await expect(page).toHaveURL(/s=Edited\+second\+sentence\./);
  const shared = page.url();

  await page.goto('./'); // no hash: the state comes from localStorage
  await expect(page.getByLabel('Sentence 2', { exact: true })).toHaveValue('Edited second sentence.');
  await expect(page.getByLabel('Pooling')).toHaveValue('cls');
  await expect(page.getByLabel('Normalise vectors')).not.toBeChecked();
  await page.evaluate(() => localStorage.clear());
  await page.goto(shared);
  await expect(page.getByLabel('Sentence 2', { exact: true })).toHaveValue('Edited second sentence.');
  await heatmapValues(page, 3);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const rows = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
  const expected = await (await nodeEncoder()).embed(edited, { pooling: 'cls', normalize: false });
  expect(rows).toHaveLength(4);
  expect(rows[0].split(',')).toHaveLength(expected[0].vector.length + 1);
  rows.slice(1).forEach((row, i) => {
    const [text, ...values] = row.split(',');
    expect(text).toBe(edited[i]);
    values.forEach((value, k) => expect(Math.abs(Number(value) - expected[i].vector[k])).toBeLessThan(1e-4));
  });
});
