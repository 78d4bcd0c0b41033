/**
 * `npm start`, cold and warm (issues 13 and 23): a fresh `git clone` of this repository's HEAD into a
 * temporary folder (node_modules linked to this checkout's, i.e. "after npm install"), then
 * `npm start` timed until GET /api/health answers 200 (cold: build, migrations, content, demo
 * accounts, wrangler dev); stopped; started again on the unchanged tree (warm: every step skipped,
 * only wrangler dev starts); then once more on a fresh database folder with 1,000 synthetic towns
 * to load (CONTENT_DIR, `--no-build`: the database steps at scale). Each start runs in its own
 * process group, which is what is stopped. Each line it prints is time-stamped, and the step
 * times `npm start` prints itself (its "prepared in" line) are kept.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CONTENT_DIR } from '../worker/content/read.ts';
import { wranglerEnv } from '../worker/cli/wrangler.ts';
import { ROOT, syntheticTownId, writeSyntheticContent } from './synthetic.ts';

/** Synthetic towns loaded by the scale run (plus 冯卯镇, which the demo accounts belong to). */
export const START_TOWNS = 1_000;

export interface StartRun {
  /** Seconds from spawning `npm start` to the first 200 from /api/health. */
  seconds: number;
  /** Each step `npm start` announced (▶ done, ✓ skipped), with the seconds since the spawn when it was printed. */
  steps: { at: number; line: string }[];
  /** Seconds of each step as `npm start` measured it (0 when skipped). */
  step_seconds: { build: number; database: number; database_cpu: number; migrations: number; content: number; demo_accounts: number };
}

export interface StartFigures {
  commit: string;
  cold: StartRun;
  warm: StartRun;
  /** A fresh database folder, `--no-build`, CONTENT_DIR with this many towns. */
  scale?: StartRun & { towns: number };
  /** Then the same database folder again with one town added to CONTENT_DIR (issue 23: only that town is read and written). */
  scaleAdd?: StartRun & { towns: number };
}

/** The step times of `npm start`'s "prepared in" line. */
function stepSeconds(log: string): StartRun['step_seconds'] {
  const m = log.match(/prepared in [\d.]+ s \(build ([\d.]+) s; database ([\d.]+) s, ([\d.]+) s CPU: migrations ([\d.]+) s, content ([\d.]+) s, demo accounts ([\d.]+) s\)/);
  if (!m) throw new Error(`npm start printed no step times:\n${log.slice(-3000)}`);
  const [build, database, database_cpu, migrations, content, demo_accounts] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return { build, database, database_cpu, migrations, content, demo_accounts };
}

/** One line for the console. */
export const describeRun = (r: StartRun): string =>
  `${r.seconds} s to /api/health (build ${r.step_seconds.build} s; database ${r.step_seconds.database} s (${r.step_seconds.database_cpu} s CPU) = migrations ${r.step_seconds.migrations} + content ${r.step_seconds.content} + demo accounts ${r.step_seconds.demo_accounts})`;

const round1 = (x: number) => Math.round(x * 10) / 10;

async function timedStart(repo: string, port: number, opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<StartRun> {
  const t0 = performance.now();
  const since = () => round1((performance.now() - t0) / 1000);
  const args = opts.args?.length ? ['start', '--', ...opts.args] : ['start'];
  const child: ChildProcess = spawn('npm', args, { cwd: repo, env: { ...wranglerEnv(), PORT: String(port), ASTRO_TELEMETRY_DISABLED: '1', ...opts.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const steps: StartRun['steps'] = [];
  let log = '';
  const onData = (d: Buffer) => {
    const text = d.toString('utf8');
    log = (log + text).slice(-50_000);
    for (const line of text.split('\n')) if (/^\s*[▶✓]|prepared in|^\s+(build|migrations|content|demo accounts): [\d.]+ s$/.test(line)) steps.push({ at: since(), line: line.trim() });
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
    return { seconds: since(), steps, step_seconds: stepSeconds(log) };
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
    console.log(`    cold: ${describeRun(cold)}`);
    const warm = await timedStart(repo, port);
    console.log(`    warm: ${describeRun(warm)}`);
    // The database steps at scale: the clone's dist/ as built (--no-build), a fresh database folder.
    const { contentDir } = writeSyntheticContent(join(tmp, 'synthetic'), START_TOWNS);
    cpSync(join(CONTENT_DIR, 'towns/fengmao'), join(contentDir, 'towns/fengmao'), { recursive: true });
    // and its regions: the demo region supervisor's county must exist (accounts.region_id)
    cpSync(join(CONTENT_DIR, 'regions.yaml'), join(contentDir, 'regions.yaml'));
    console.log(`  ${START_TOWNS.toLocaleString('en')} synthetic towns + fengmao (CONTENT_DIR), fresh database folder, --no-build`);
    const scaleRun = await timedStart(repo, port, { args: ['--no-build', '--persist-to', join(tmp, 'state-scale')], env: { CONTENT_DIR: contentDir } });
    const scale = { ...scaleRun, towns: START_TOWNS + 1 };
    console.log(`    ${scale.towns.toLocaleString('en')} towns: ${describeRun(scale)}`);
    // A county adds one town: a copy of the first synthetic town under the next id, same database folder.
    const [from, to] = [syntheticTownId(1), syntheticTownId(START_TOWNS + 1)];
    cpSync(join(contentDir, 'towns', from), join(contentDir, 'towns', to), { recursive: true });
    const townYaml = join(contentDir, 'towns', to, 'town.yaml');
    writeFileSync(townYaml, readFileSync(townYaml, 'utf8').replace(`id: ${from}`, `id: ${to}`).replace(`合成镇${from.slice(-4)}`, `合成镇${to.slice(-4)}`));
    console.log(`  one town added (${to}); npm start on the same database folder`);
    const addRun = await timedStart(repo, port, { args: ['--no-build', '--persist-to', join(tmp, 'state-scale')], env: { CONTENT_DIR: contentDir } });
    const scaleAdd = { ...addRun, towns: START_TOWNS + 2 };
    console.log(`    ${scaleAdd.towns.toLocaleString('en')} towns, one new: ${describeRun(scaleAdd)}`);
    return { commit, cold, warm, scale, scaleAdd };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
