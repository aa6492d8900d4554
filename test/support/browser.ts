/**
 * Debian's Chromium driven by playwright-core for the workspace's browser tests (no browser
 * download: /usr/bin/chromium, installed by scripts/ensure-test-deps.sh). Screenshots go under
 * test-output/browser/ so a person can look at every page the test passed through.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './server-process.js';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'browser');

export interface ChromiumOptions {
  /**
   * The microphone: `allowed` with a fake device playing `fakeAudioCapture` (a WAV, looped; without
   * it Chromium's own beeps) and every permission prompt accepted; `denied`: the same fake device, but
   * every permission prompt refused (getUserMedia fails with NotAllowedError). Default: no flags.
   */
  readonly microphone?: 'allowed' | 'denied';
  readonly fakeAudioCapture?: string;
}

/** The flags that work here as root without network (see TESTING.md). */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const media: string[] = [];
  if (options.microphone !== undefined) media.push('--use-fake-device-for-media-stream');
  if (options.microphone === 'allowed') media.push('--use-fake-ui-for-media-stream');
  if (options.microphone === 'denied') media.push('--deny-permission-prompts');
  if (options.fakeAudioCapture !== undefined) media.push(`--use-file-for-fake-audio-capture=${options.fakeAudioCapture}`);
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--autoplay-policy=no-user-gesture-required', ...media],
  });
}

/** A fresh browser profile at the usual agent screen size (1366×768), zh-CN. */
export async function newDesk(browser: Browser, baseURL: string, viewport = { width: 1366, height: 768 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return { context, page, errors };
}

/** Signs in through the login page (用户名, 密码, 登录) and waits until the app left it. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 10_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
