/**
 * `npm start`, cold and warm (issue 13): a fresh `git clone` of this repository's HEAD into a
 * temporary folder (node_modules linked to this checkout's, i.e. "after npm install"), then
 * `npm start` timed until GET /api/health answers 200 (cold: build, migrations, content, demo
 * accounts, wrangler dev); stopped; started again on the unchanged tree (warm: every step skipped,
 * only wrangler dev starts). Each start runs in its own process group, which is what is stopped.
 * Each line it prints is time-stamped, so the steps' durations are reported too.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { wranglerEnv } from '../worker/cli/wrangler.ts';
import { ROOT } from './synthetic.ts';

export interface StartRun {
  /** Seconds from spawning `npm start` to the first 200 from /api/health. */
  seconds: number;
  /** Each step `npm start` announced (▶ done, ✓ skipped), with the seconds since the spawn when it was printed. */
  steps: { at: number; line: string }[];
}

export interface StartFigures {
  commit: string;
  cold: StartRun;
  warm: StartRun;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

async function timedStart(repo: string, port: number): Promise<StartRun> {
  const t0 = performance.now();
  const since = () => round1((performance.now() - t0) / 1000);
  const child: ChildProcess = spawn('npm', ['start'], { cwd: repo, env: { ...wranglerEnv(), PORT: String(port), ASTRO_TELEMETRY_DISABLED: '1' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const steps: StartRun['steps'] = [];
  let log = '';
  const onData = (d: Buffer) => {
    const text = d.toString('utf8');
    log = (log + text).slice(-20_000);
    for (const line of text.split('\n')) if (/^\s*[▶✓]|prepared in/.test(line)) steps.push({ at: since(), line: line.trim() });
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${log}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`npm start did not serve within 600 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { seconds: since(), steps };
  } finally {
    await stopGroup(child);
  }
}

/** Stops the process group of `child` (npm, node start.ts, wrangler, workerd) and waits until it is gone. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const alive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export async function runStart(port: number): Promise<StartFigures> {
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const tmp = mkdtempSync(join(tmpdir(), 'bench-start-'));
  const repo = join(tmp, 'repo');
  try {
    execFileSync('git', ['clone', '--quiet', ROOT, repo]);
    execFileSync('git', ['checkout', '--quiet', '--detach', commit], { cwd: repo });
    symlinkSync(resolve(ROOT, 'node_modules'), join(repo, 'node_modules'));
    console.log(`  fresh clone of ${commit.slice(0, 10)} in ${repo}; npm start (cold) on port ${port}`);
    const cold = await timedStart(repo, port);
    console.log(`    cold: ${cold.seconds} s`);
    const warm = await timedStart(repo, port);
    console.log(`    warm: ${warm.seconds} s`);
    return { commit, cold, warm };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
