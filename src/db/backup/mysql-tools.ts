import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { AppError } from '../../shared/app-error.js';
import { parseDatabaseUrl } from '../database.js';

/** The MariaDB client tools first (Debian's mariadb-client), then MySQL's names. */
const DUMP_TOOLS = ['mariadb-dump', 'mysqldump'] as const;
const CLIENT_TOOLS = ['mariadb', 'mysql'] as const;

/**
 * A consistent dump of a live InnoDB database without locking the server's writers: one
 * REPEATABLE READ transaction (`--single-transaction`), rows streamed (`--quick`), times as UTC
 * (the default `--tz-utc`), binary as hex, no CREATE DATABASE (it loads into any database name).
 */
const DUMP_OPTIONS = ['--single-transaction', '--quick', '--routines', '--triggers', '--hex-blob', '--no-tablespaces', '--default-character-set=utf8mb4'];

/** A MySQL tool that is not installed: the message names the package and the command to run by hand. */
export class MysqlToolMissingError extends AppError {
  constructor(message: string) {
    super('MYSQL_TOOL_MISSING', message);
  }
}

interface Credentials {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

function credentialsOf(url: string): Credentials {
  const target = parseDatabaseUrl(url);
  const o = target.options;
  if (target.dialect !== 'mysql' || o.database === undefined) throw new AppError('BACKUP_FAILED', `${target.description} is not a MySQL/MariaDB database`);
  return { host: o.host ?? '127.0.0.1', port: o.port ?? 3306, user: o.username ?? 'root', password: o.password ?? '', database: o.database };
}

/** The first of `names` that runs (`--version`), or undefined when none is installed. */
export async function findTool(names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    const found = await new Promise<boolean>((resolve) => {
      const child = spawn(name, ['--version'], { stdio: 'ignore' });
      child.once('error', () => {
        resolve(false);
      });
      child.once('exit', (code) => {
        resolve(code === 0);
      });
    });
    if (found) return name;
  }
  return undefined;
}

/** The dump command an operator can run by hand (`-p` asks for the password, which is never printed). */
export function dumpCommand(url: string, outFile: string): string {
  const c = credentialsOf(url);
  return `mariadb-dump ${DUMP_OPTIONS.join(' ')} -h ${c.host} -P ${c.port} -u ${c.user} -p ${c.database} | gzip > ${outFile}`;
}

/** The load command an operator can run by hand, into an existing empty database. */
export function loadCommand(url: string, inFile: string): string {
  const c = credentialsOf(url);
  return `gunzip -c ${inFile} | mariadb --default-character-set=utf8mb4 -h ${c.host} -P ${c.port} -u ${c.user} -p ${c.database}`;
}

/**
 * Dumps the database of `url` into `outFile` (gzip). Throws MysqlToolMissingError (naming the
 * package and the command) when neither mariadb-dump nor mysqldump is installed.
 */
export async function dumpMysql(url: string, outFile: string): Promise<void> {
  const tool = await findTool(DUMP_TOOLS);
  if (tool === undefined) {
    throw new MysqlToolMissingError(
      `neither mariadb-dump nor mysqldump is installed (Debian: apt-get install mariadb-client). Dump by hand with:\n  ${dumpCommand(url, outFile)}`,
    );
  }
  const c = credentialsOf(url);
  await withDefaultsFile(c, async (defaults) => {
    const child = spawn(tool, [`--defaults-extra-file=${defaults}`, ...DUMP_OPTIONS, c.database], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = collect(child.stderr);
    const exited = exitOf(child);
    await pipeline(child.stdout, createGzip(), createWriteStream(outFile, { mode: 0o600 }));
    const code = await exited;
    if (code !== 0) throw new AppError('BACKUP_FAILED', `${tool} exited with ${String(code)}: ${stderr().trim().slice(-500)}`);
  });
}

/**
 * Loads a gzip dump made by dumpMysql into the (existing) database of `url`. Throws
 * MysqlToolMissingError when neither the mariadb nor the mysql client is installed.
 */
export async function loadMysql(url: string, inFile: string): Promise<void> {
  const tool = await findTool(CLIENT_TOOLS);
  if (tool === undefined) {
    throw new MysqlToolMissingError(`neither mariadb nor mysql (the client) is installed (Debian: apt-get install mariadb-client). Load by hand with:\n  ${loadCommand(url, inFile)}`);
  }
  const c = credentialsOf(url);
  await withDefaultsFile(c, async (defaults) => {
    const child = spawn(tool, [`--defaults-extra-file=${defaults}`, '--default-character-set=utf8mb4', c.database], { stdio: ['pipe', 'ignore', 'pipe'] });
    const stderr = collect(child.stderr);
    const exited = exitOf(child);
    await pipeline(createReadStream(inFile), createGunzip(), child.stdin);
    const code = await exited;
    if (code !== 0) throw new AppError('RESTORE_FAILED', `${tool} exited with ${String(code)}: ${stderr().trim().slice(-500)}`);
  });
}

/**
 * The credentials in an owner-only option file for the tool's lifetime: a password on the command
 * line would show in `ps` to every user of the host.
 */
async function withDefaultsFile<T>(c: Credentials, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'hotline-mysql-'));
  try {
    const file = join(dir, 'client.cnf');
    const quote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    await writeFile(file, `[client]\nhost=${quote(c.host)}\nport=${c.port}\nuser=${quote(c.user)}\npassword=${quote(c.password)}\n`, { mode: 0o600 });
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text = (text + chunk).slice(-4000);
  });
  return () => text;
}

/** The tool's exit code, or a message when it could not run (never rejects: the pipe's error is the one reported). */
function exitOf(child: ReturnType<typeof spawn>): Promise<number | string | null> {
  return new Promise((resolve) => {
    child.once('error', (err) => {
      resolve(err.message);
    });
    child.once('exit', (code) => {
      resolve(code);
    });
  });
}
