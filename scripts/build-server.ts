/**
 * Compiles the server (src/, without the browser workspace) into dist/ for `npm start`
 * (`node dist/main.js`). Runs at `npm install` (postinstall), `npm run build` and `npm start`
 * (prestart) with `--if-stale`: it compiles only when the sources, the TypeScript settings or the
 * locked package versions changed since the last build, judged by a hash of their contents kept in
 * dist/.server-build-hash (file times are useless after a fresh clone).
 *
 * tsc writes into dist/.server-staging; the previous build's entries (listed in dist/.server-files)
 * are then replaced entry by entry, so a module deleted from src/ does not linger in dist/. The
 * browser workspace's own folder (dist/workspace) is never touched.
 *
 *   tsx scripts/build-server.ts [--if-stale]
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = fileURLToPath(new URL('..', import.meta.url));
const sourceDir = join(repo, 'src');
const outDir = join(repo, 'dist');
const staging = join(outDir, '.server-staging');
const hashFile = join(outDir, '.server-build-hash');
const manifestFile = join(outDir, '.server-files');
/** Top-level names in dist/ that belong to other builds. */
const FOREIGN = new Set(['workspace', 'workspace.staging', 'workspace.old']);

async function sourcesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(sourceDir, 'workspace')) out.push(...(await sourcesUnder(path)));
    } else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const inputs = [...(await sourcesUnder(sourceDir)), ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => join(repo, f))];
  for (const file of inputs) {
    hash.update(relative(repo, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function main(): Promise<void> {
  const hash = await sourceHash();
  if (process.argv.includes('--if-stale')) {
    const previous = await readFile(hashFile, 'utf8').catch(() => '');
    if (previous.trim() === hash) {
      console.log('server: up to date (dist/main.js)');
      return;
    }
  }
  const started = Date.now();
  await rm(staging, { recursive: true, force: true });
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', join(repo, 'tsconfig.build.json'), '--outDir', staging], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const out = err as { stdout?: string; stderr?: string };
    process.stderr.write(`${out.stdout ?? ''}${out.stderr ?? ''}`);
    throw new Error('tsc reported errors (above); dist/ keeps the previous build');
  }
  const entries = (await readdir(staging)).filter((name) => !FOREIGN.has(name));
  const previous = (await readFile(manifestFile, 'utf8').catch(() => '')).split('\n').filter((n) => n !== '' && !FOREIGN.has(n) && !n.includes('/'));
  await mkdir(outDir, { recursive: true });
  for (const name of new Set([...previous, ...entries])) await rm(join(outDir, name), { recursive: true, force: true });
  for (const name of entries) await rename(join(staging, name), join(outDir, name));
  await rm(staging, { recursive: true, force: true });
  await writeFile(manifestFile, `${entries.join('\n')}\n`);
  await writeFile(hashFile, `${hash}\n`);
  console.log(`server: compiled into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error('server: the build failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
