/**
 * What every console end-to-end test starts from: the server `npm start` runs (the dist/ built
 * before, `--no-build`) over a fresh local D1 and R2 in a temporary folder with the demo accounts,
 * on its own port and in its own process group, so `stop()` ends exactly what it started (npm,
 * node, wrangler, workerd); and Debian's chromium, headless.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { axeViolations } from '../site/axe.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

/** A free TCP port on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise<number>((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

export interface ConsoleServer {
  origin: string;
  /** The persist folder (local D1 and R2); a test may write scratch files there. */
  state: string;
  /** What the server printed so far. */
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `npm start` and waits until /api/health answers. `port`: a fixed one (an env override
 * for the test) or a free one; `needs`: a file of dist/client the test relies on.
 */
export async function startConsoleServer(opts: { prefix: string; port?: number; needs?: string; timeoutMs?: number }): Promise<ConsoleServer> {
  const needs = opts.needs ?? 'console/index.html';
  if (!existsSync(join(ROOT, 'dist/client', needs))) throw new Error(`dist/ has no ${needs}: run \`npm run build\` first (npm test does)`);
  // Two servers started at the same instant (test files run two at a time) can pick the same port
  // for one of wrangler's internal sockets: "Address already in use". Start again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (!(e instanceof PortClash) || attempt === 3 || opts.port) throw e;
    }
  }
}

/** wrangler could not bind one of its sockets: another server took the port between its choice and its use. */
export class PortClash extends Error {}

async function startOnce(opts: { prefix: string; port?: number; timeoutMs?: number }): Promise<ConsoleServer> {
  const port = opts.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const state = mkdtempSync(join(tmpdir(), `${opts.prefix}-`));
  let log = '';
  const server = spawn('npm', ['start', '--', '--persist-to', state, '--no-build'], { cwd: ROOT, env: { ...process.env, PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  const stop = async () => {
    if (server.pid && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const gone = Date.now() + 10_000;
      while (server.exitCode === null && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        /* ended by SIGTERM */
      }
    }
    rmSync(state, { recursive: true, force: true });
  };
  const until = Date.now() + (opts.timeoutMs ?? 170_000);
  for (;;) {
    if (server.exitCode !== null) {
      await stop();
      const text = `npm start exited with ${server.exitCode}:\n${log.slice(-3000)}`;
      throw /Address already in use/.test(log) ? new PortClash(text) : new Error(text);
    }
    if (await fetch(`${origin}/api/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`no /api/health within ${opts.timeoutMs ?? 170_000} ms:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { origin, state, log: () => log, stop };
}

/** Debian's chromium, headless, without the background traffic that would muddy a network log. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

/** The demo accounts' password (`npm start` creates them: worker/content/demo.ts). */
export const DEMO_PASSWORD = 'demo-password-2018';

/** Signs `username` in on the console page at `origin + path`, as a person types it, and waits for the signed-in screen. */
export async function consoleSignIn(page: Page, origin: string, username: string, path = '/console/', password = DEMO_PASSWORD): Promise<void> {
  await page.goto(origin + path);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('button', { name: '退出登录' }).waitFor();
}

/** A session token of `username` through the API's sign-in. */
export async function apiToken(origin: string, username: string, password = DEMO_PASSWORD): Promise<string> {
  const r = await fetch(`${origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!r.ok) throw new Error(`sign-in of ${username}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/**
 * What a console screen must not have at its width: axe-core violations (WCAG 2.2 AA), sideways
 * scrolling, and tap targets (`targets`, a selector) under 44 px tall. [] when none.
 */
export async function consoleProblems(page: Page, targets: string): Promise<string[]> {
  const axe = await axeViolations(page, { bestPractice: false });
  const layout = await page.evaluate((targets) => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) out.push(`scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of document.querySelectorAll<HTMLElement>(targets)) {
      const r = el.getBoundingClientRect();
      if (r.width && r.height < 44) out.push(`small target "${(el.textContent ?? '').trim().slice(0, 20)}" ${Math.round(r.height)} px tall`);
    }
    return out;
  }, targets);
  return [...axe, ...layout];
}
