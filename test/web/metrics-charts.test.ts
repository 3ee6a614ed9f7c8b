// The console's metric charts in a real browser, drawing a real series: samples of a host and
// one of its WPARs go into the manager through the metrics store the agents' channel ingests
// with (MetricsStore.ingest, as a 'metrics' message does), the WPAR's page asks the manager for
// them and uPlot draws them on a canvas. The test reads the canvas back: the series' strokes
// are there, rising as the samples rise; and the text the chart draws on its value axis — a
// WPAR using a few hundredths of a percent of its host used to read "0%, 0%, 0%" — is distinct
// tick labels ("0.02%, 0.04%, …").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { MetricSample } from '../../src/api/agents.js';
import type { MetricValues } from '../../src/api/metrics.js';
import { managerActor } from '../../src/manager/inventory/privilege-guard.js';
import { login, startConsoleHarness, type ConsoleHarness } from './harness.js';

// The charts' strokes (web/src/components/MetricsPanel.tsx).
const BLUE = [0x1f, 0x5f, 0xa8] as const;
const ORANGE = [0xb4, 0x53, 0x09] as const;
const SAMPLES = 60;

/**
 * Records the text each canvas draws since it was last cleared whole (uPlot clears and redraws
 * the whole chart each time), so the test reads the axis labels a person sees.
 */
const RECORD_CANVAS_TEXT = `(() => {
  const proto = CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  const clearRect = proto.clearRect;
  proto.fillText = function (text, ...rest) {
    (this.canvas.__texts ??= []).push(String(text));
    return fillText.call(this, text, ...rest);
  };
  proto.clearRect = function (x, y, w, h) {
    if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) this.canvas.__texts = [];
    return clearRect.call(this, x, y, w, h);
  };
})();`;

interface Drawn {
  texts: string[];
  /** Per colour: how many pixels, and the mean height (from the top) of those in the left and in the right fifth. */
  strokes: { colour: string; pixels: number; leftY: number; rightY: number }[];
}

/** What a chart's canvas shows: its text, and where each colour's pixels are. */
async function drawn(page: Page, title: string): Promise<Drawn> {
  const canvas = page.getByRole('figure', { name: title }).locator('canvas');
  await canvas.waitFor();
  return canvas.evaluate((el, colours) => {
    const c = el as HTMLCanvasElement & { __texts?: string[] };
    const ctx = c.getContext('2d')!;
    const { data, width, height } = ctx.getImageData(0, 0, c.width, c.height);
    const strokes = colours.map(([name, [r, g, b]]) => {
      let pixels = 0;
      const left: number[] = [];
      const right: number[] = [];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          if (data[i + 3]! < 200 || Math.abs(data[i]! - r) > 24 || Math.abs(data[i + 1]! - g) > 24 || Math.abs(data[i + 2]! - b) > 24) continue;
          pixels++;
          if (x < width / 5) left.push(y);
          if (x > (4 * width) / 5) right.push(y);
        }
      }
      // No named helper here: the test's compiler would wrap it in one the page lacks.
      return {
        colour: name as string,
        pixels,
        leftY: left.length ? left.reduce((s, v) => s + v, 0) / left.length : NaN,
        rightY: right.length ? right.reduce((s, v) => s + v, 0) / right.length : NaN,
      };
    });
    return { texts: [...(c.__texts ?? [])], strokes };
  }, [['blue', BLUE], ['orange', ORANGE]] as [string, readonly [number, number, number]][]);
}

const values = (v: Partial<MetricValues>): MetricValues => ({
  cpuCores: 0, cpuUtil: 0, memoryBytes: 0, memoryUtil: 0, processes: 0, netRxBytesPerSec: 0, netTxBytesPerSec: 0,
  diskReadBytesPerSec: 0, diskWriteBytesPerSec: 0, effectiveCpuUtil: null, ...v,
});

describe('web console: metric charts', () => {
  let h: ConsoleHarness;
  let user: { name: string; password: string };
  const ids: Record<string, string> = {};
  const contexts: BrowserContext[] = [];

  const loggedIn = async (): Promise<Page> => {
    const ctx = await h.newContext();
    contexts.push(ctx);
    await ctx.addInitScript({ content: RECORD_CANVAS_TEXT });
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 1280, height: 1000 });
    await login(page, user.name, user.password);
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  };

  before(async () => {
    h = await startConsoleHarness();
    const services = h.manager.services;
    ids.met1 = (await services.inventory.systems.create({ name: 'met1', host: 'met1.example.test' })).id;
    const task = await services.inventory.wpars.create({ name: 'quiet', type: 'system', image: 'busybox', interfaces: [], mounts: [], resources: {}, checkpointable: false }, managerActor('test'));
    assert.equal((await services.tasks.wait(task.id, 10_000)).status, 'succeeded');
    ids.quiet = (await services.inventory.wpars.get('quiet')).id;
    await services.db.updateTable('wpars').set({ state: 'Active', system_id: ids.met1 }).where('id', '=', ids.quiet).execute();

    // Ten minutes of samples, one every 10 s, ending now: the host busy at 20–50 %, the WPAR at
    // a few hundredths of a percent of it (rising), its effective CPU a little above.
    const now = Date.now();
    const samples: MetricSample[] = Array.from({ length: SAMPLES }, (_, i) => {
      const rising = i / (SAMPLES - 1);
      const wparCpu = 0.0001 + 0.0007 * rising;
      return {
        t: now - (SAMPLES - 1 - i) * 10_000,
        host: values({ cpuCores: 8 * (0.2 + 0.3 * rising), cpuUtil: 0.2 + 0.3 * rising, memoryBytes: 8 * 2 ** 30, memoryUtil: 0.25, processes: 180 + i }),
        wpars: { quiet: values({ cpuCores: wparCpu * 8, cpuUtil: wparCpu, memoryBytes: 48 * 2 ** 20 + i * 4096, memoryUtil: 0.002, processes: 3, effectiveCpuUtil: wparCpu * 1.5 }) },
      };
    });
    await services.agents.metrics.ingest(ids.met1, samples, new Map([['quiet', ids.quiet]]));
    user = await h.userWithRoles(['WPARMonitor']);
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await h?.close();
  });

  it('draws a WPAR\'s stored CPU series, rising as it rises, with distinct tick labels for its small values', async () => {
    const page = await loggedIn();
    await page.goto(`/wpars/${ids.quiet}`);
    await page.getByRole('heading', { name: /WPAR quiet/ }).waitFor();
    await page.getByRole('heading', { name: 'Current (latest sample)' }).waitFor();
    const cpu = await drawn(page, 'CPU (share of the host)');

    const [blue, orange] = cpu.strokes;
    assert.ok(blue!.pixels > 100, `the CPU series is drawn (${blue!.pixels} blue pixels)`);
    assert.ok(orange!.pixels > 100, `the effective CPU series is drawn (${orange!.pixels} orange pixels)`);
    // Canvas y grows downwards: a rising series ends higher on the chart than it starts.
    assert.ok(blue!.rightY < blue!.leftY - 20, `rising: left ${blue!.leftY}, right ${blue!.rightY}`);
    assert.ok(orange!.rightY < blue!.rightY, 'effective CPU above CPU');

    const ticks = cpu.texts.filter((t) => t.endsWith('%'));
    assert.ok(ticks.length >= 3, `value axis labels: ${cpu.texts.join(' | ')}`);
    assert.equal(new Set(ticks).size, ticks.length, `distinct: ${ticks.join(', ')}`);
    assert.ok(ticks.every((t) => /^\d+\.\d{2,3}%$/.test(t)), `hundredths of a percent: ${ticks.join(', ')}`);
    assert.ok(!ticks.includes('0%'));
    // The labels say what the axis spans: between the series' least and greatest value, and around them.
    const numbers = ticks.map((t) => Number.parseFloat(t));
    assert.ok(Math.min(...numbers) <= 0.02 && Math.max(...numbers) >= 0.1, ticks.join(', '));

    // The other charts draw their series too, and label their axes apart.
    for (const title of ['Memory in use', 'Processes']) {
      const chart = await drawn(page, title);
      assert.ok(chart.strokes[0]!.pixels > 100, `${title} is drawn`);
    }
    const memory = (await drawn(page, 'Memory in use')).texts.filter((t) => / (B|KiB|MiB|GiB)$/.test(t));
    assert.ok(memory.length >= 2 && new Set(memory).size === memory.length, `memory ticks: ${memory.join(', ')}`);
  });

  it('draws the host\'s series on its system page', async () => {
    const page = await loggedIn();
    await page.goto(`/systems/${ids.met1}`);
    await page.getByRole('heading', { name: 'Current (latest sample)' }).waitFor();
    const cpu = await drawn(page, 'CPU (share of the host)');
    assert.ok(cpu.strokes[0]!.pixels > 100, 'the host CPU series is drawn');
    assert.equal(cpu.strokes[1]!.pixels, 0, 'a host has no effective CPU series');
    assert.ok(cpu.strokes[0]!.rightY < cpu.strokes[0]!.leftY - 20, 'rising');
    const ticks = cpu.texts.filter((t) => t.endsWith('%'));
    assert.ok(ticks.length >= 3 && new Set(ticks).size === ticks.length, ticks.join(', '));
    assert.ok(ticks.every((t) => /^\d+%$/.test(t)), `whole percentages for a busy host: ${ticks.join(', ')}`);
  });
});
