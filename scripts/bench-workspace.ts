/**
 * `npm run bench:web`: what a person at the workspace waits for, measured in Debian's Chromium on
 * this machine against the real server (SQLite, or DATABASE_URL=mysql://… for MariaDB):
 *   1. bundle: bytes of the built assets, raw and gzip, in all and for the first page (login);
 *   2. first load: a fresh browser profile (empty cache) opens `/` → the login form is usable, and the
 *      same again with a warm cache; median and worst of 10;
 *   3. wallboard delay: an agent goes ready on /ws/agent → the supervisor's wallboard page shows that
 *      agent as 空闲, timed inside the page (MutationObserver) against the send time; median and worst of 20.
 * Targets (issue 10): first load < 1 s, wallboard < 1 s — the 1 s at which a person stops feeling the
 * page answers at once (Nielsen's response-time limits); the wallboard's own push is event-driven.
 * Results are printed as Markdown and written to docs/bench-workspace.md.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { ApiClient, DesktopClient } from '../test/support/api-client.js';
import { launchChromium, newDesk, signIn } from '../test/support/browser.js';
import { ADMIN, REPO_ROOT, startServer } from '../test/support/server-process.js';
import { percentile } from './bench/measure.js';
import { kib, table } from './bench/report.js';

const ASSETS = path.join(REPO_ROOT, 'dist', 'workspace', 'assets');
const RESULTS = path.join(REPO_ROOT, 'docs', 'bench-workspace.md');

async function bundle(): Promise<{ raw: number; gzip: number; files: number }> {
  let raw = 0;
  let gzip = 0;
  let files = 0;
  // The current build's own files (the folder also keeps the previous build's for open tabs).
  const own = await readFile(path.join(ASSETS, '..', '.build-assets'), 'utf8').then(
    (text) => text.split('\n').filter((n) => n !== ''),
    async () => readdir(ASSETS),
  );
  for (const name of own) {
    if (name.endsWith('.gz') || !(await stat(path.join(ASSETS, name))).isFile()) continue;
    const body = await readFile(path.join(ASSETS, name));
    raw += body.length;
    gzip += gzipSync(body, { level: 9 }).length;
    files += 1;
  }
  return { raw, gzip, files };
}

/** Opens `/` in `page` and resolves with ms until the 登录 button can be clicked, and the bytes received. */
async function loadLogin(page: Page): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  const onResponse = (res: { headers(): Record<string, string> }) => {
    bytes += Number(res.headers()['content-length'] ?? 0);
  };
  page.on('response', onResponse);
  const started = performance.now();
  await page.goto('/');
  await page.getByRole('button', { name: '登录' }).waitFor({ state: 'visible' });
  const took = performance.now() - started;
  page.off('response', onResponse);
  return { ms: took, bytes };
}

const median = (xs: number[]) => percentile(xs, 50) ?? Number.NaN;
const worst = (xs: number[]) => Math.max(...xs);

async function main(): Promise<void> {
  const server = await startServer({ WS_GRACE_S: '1' }, process.env.DATABASE_URL === undefined ? {} : { databaseUrl: process.env.DATABASE_URL });
  const browser = await launchChromium();
  try {
    const size = await bundle();

    // 2. First load, cold (new profile each time) and warm (same profile, second visit).
    const cold: number[] = [];
    const warm: number[] = [];
    let firstBytes = 0;
    for (let i = 0; i < 10; i++) {
      const { context, page } = await newDesk(browser, server.baseUrl);
      const first = await loadLogin(page);
      cold.push(first.ms);
      firstBytes = first.bytes;
      warm.push((await loadLogin(page)).ms);
      await context.close();
    }

    // 3. Wallboard delay: a supervisor watches; an agent goes ready and not-ready on its socket.
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const sup = await admin.post('/api/v1/users', { username: 'bench-sup', password: 'bench-sup-pass-1', displayName: '班长', role: 'supervisor' });
    if (sup.status !== 201) throw new Error(`creating the supervisor: ${sup.status} ${JSON.stringify(sup.body)}`);
    const agent = await admin.post('/api/v1/agents', { username: 'bench-agent', password: 'bench-agent-pass-1', displayName: '话务员甲', extension: '8801', skills: ['general'] });
    if (agent.status !== 201) throw new Error(`creating the agent: ${agent.status} ${JSON.stringify(agent.body)}`);
    const agentApi = await ApiClient.login(server.baseUrl, 'bench-agent', 'bench-agent-pass-1');
    const desk = await DesktopClient.connect(server.baseUrl, agentApi.bearer);
    await desk.waitFor((f) => f.type === 'hello');
    // Signed in to the ACD (the wallboard lists agents who are signed in).
    desk.send({ type: 'ready' });
    await desk.waitFor((f) => f.type === 'state' && f.state === 'ready');
    const { context, page } = await newDesk(browser, server.baseUrl, { width: 1920, height: 1080 });
    await signIn(page, 'bench-sup', 'bench-sup-pass-1');
    await page.goto('/supervisor/wallboard');
    await page.getByText('话务员甲').first().waitFor({ timeout: 10_000 });
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      const target = i % 2 === 0 ? '示忙' : '空闲';
      // In the page: the first moment the agent's row shows the target state, on the wall clock.
      // (A string: this runs in the page, where the DOM is; the script's own types have none.)
      const seen = page.evaluate<number>(`new Promise((resolve) => {
        const name = ${JSON.stringify('话务员甲')}, state = ${JSON.stringify(target)};
        const check = () => {
          const rows = [...document.querySelectorAll('tr, li, [role="row"], [data-agent]')];
          if (rows.some((r) => (r.textContent || '').includes(name) && r.textContent.includes(state))) {
            resolve(performance.timeOrigin + performance.now());
            return true;
          }
          return false;
        };
        if (check()) return;
        const obs = new MutationObserver(() => { if (check()) obs.disconnect(); });
        obs.observe(document.body, { subtree: true, childList: true, characterData: true });
      })`);
      await new Promise((r) => setTimeout(r, 150));
      const sent = Date.now();
      desk.send(target === '空闲' ? { type: 'ready' } : { type: 'not-ready', reason: '小休' });
      delays.push((await seen) - sent);
      await new Promise((r) => setTimeout(r, 100));
    }
    desk.close();
    await context.close();

    const rows = [
      ['bundle: all assets', `${size.files} files, ${kib(size.raw)} raw, ${kib(size.gzip)} gzip`, '—'],
      ['first load: bytes over the wire (login page, gzip)', kib(firstBytes), '—'],
      ['first load, empty cache: `/` → 登录 usable', `median ${median(cold).toFixed(0)} ms, worst ${worst(cold).toFixed(0)} ms (10 runs)`, '< 1000 ms'],
      ['load again, warm cache', `median ${median(warm).toFixed(0)} ms, worst ${worst(warm).toFixed(0)} ms (10 runs)`, '< 1000 ms'],
      ['wallboard: agent state change → shown', `median ${median(delays).toFixed(0)} ms, worst ${worst(delays).toFixed(0)} ms (20 changes)`, '< 1000 ms'],
    ];
    const md = [
      '# Workspace benchmark (`npm run bench:web`)',
      '',
      `Run ${new Date().toISOString()} on ${process.env.DATABASE_URL === undefined ? 'SQLite' : 'MariaDB'}, Debian Chromium headless at 1366×768 (wallboard 1920×1080), server and browser on this machine (2 cores).`,
      'Targets from issue 10; the 1 s is the limit at which a person stops feeling a page answers at once (Nielsen).',
      '',
      table(['measure', 'result', 'target'], rows),
      '',
    ].join('\n');
    console.log(md);
    await writeFile(RESULTS, md);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
