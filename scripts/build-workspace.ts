/**
 * Builds the browser workspace (src/workspace, Vite) into dist/workspace, where the server serves it.
 * Runs at `npm install` (postinstall) and `npm start` (prestart) with `--if-stale`: it builds only when
 * the sources (or the locked package versions) changed since the last build, judged by a hash of their
 * contents kept in dist/workspace/.build-hash (file times are useless after a fresh clone).
 *
 *   tsx scripts/build-workspace.ts [--if-stale]
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const sourceDir = join(repo, 'src/workspace');
/** The wire types the browser imports as `@wire/*` (src/shared/wire): part of the build's sources. */
const wireDir = join(repo, 'src/shared/wire');
const outDir = join(repo, 'dist/workspace');
const hashFile = join(outDir, '.build-hash');
/** The files of this build's assets folder, so the next build can carry them over for one generation. */
const ASSET_LIST = '.build-assets';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test' && entry.name !== 'node_modules') out.push(...(await filesUnder(path)));
    } else out.push(path);
  }
  return out.sort();
}

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...(await filesUnder(sourceDir)), ...(await filesUnder(wireDir)), join(repo, 'package-lock.json')]) {
    hash.update(relative(repo, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function main(): Promise<void> {
  const ifStale = process.argv.includes('--if-stale');
  const hash = await sourceHash();
  if (ifStale) {
    const previous = await readFile(hashFile, 'utf8').catch(() => '');
    if (previous.trim() === hash) {
      console.log('workspace: up to date (dist/workspace)');
      return;
    }
  }
  const started = Date.now();
  const { build } = await import('vite');
  // Built beside the live folder and swapped in at the end: a server running meanwhile keeps serving
  // the old build whole, never a half-written or emptied folder.
  const staging = `${outDir}.staging`;
  await rm(staging, { recursive: true, force: true });
  await build({ configFile: join(sourceDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  const assets = join(staging, 'assets');
  const own = await readdir(assets);
  // Pages opened before this build load their lazy chunks by the old names: keep the previous build's
  // assets (one generation, not older ones) so those tabs go on working until they reload.
  const previous = await readFile(join(outDir, ASSET_LIST), 'utf8').catch(() => '');
  for (const name of previous.split('\n').filter((n) => n !== '' && !own.includes(n) && /^[\w.-]+$/.test(n))) {
    await copyFile(join(outDir, 'assets', name), join(assets, name)).catch(() => undefined);
  }
  // Pre-compressed copies, served to browsers that take gzip (src/api/workspace-static.ts).
  let raw = 0;
  let zipped = 0;
  const gzipped: string[] = [];
  for (const name of own) {
    if (!/\.(js|css|svg|json|ttf)$/.test(name)) continue;
    const body = await readFile(join(assets, name));
    const gz = gzipSync(body, { level: 9 });
    raw += body.length;
    zipped += gz.length;
    if (gz.length < body.length) {
      await writeFile(join(assets, `${name}.gz`), gz);
      gzipped.push(`${name}.gz`);
    }
  }
  await writeFile(join(staging, ASSET_LIST), `${[...own, ...gzipped].join('\n')}\n`);
  await writeFile(join(staging, '.build-hash'), `${hash}\n`);
  const retired = `${outDir}.old`;
  await rm(retired, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await rename(outDir, retired);
  await rename(staging, outDir);
  await rm(retired, { recursive: true, force: true });
  console.log(`workspace: assets ${(raw / 1024).toFixed(0)} KiB, gzip ${(zipped / 1024).toFixed(0)} KiB`);
  console.log(`workspace: built into dist/workspace in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error('workspace: the build failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
