import { readFile } from 'node:fs/promises';
import { ConfigError } from '../shared/app-error.js';

/**
 * A PEM certificate (chain) and private key read from the configured files, or undefined when neither
 * key is set (config.ts refuses one without the other). A file that cannot be read refuses the start,
 * naming the key and the file.
 */
export async function readTlsFiles(
  cert: { readonly key: string; readonly path: string | undefined },
  key: { readonly key: string; readonly path: string | undefined },
): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (cert.path === undefined || key.path === undefined) return undefined;
  const read = async (entry: { readonly key: string; readonly path: string }): Promise<Buffer> => {
    try {
      return await readFile(entry.path);
    } catch (err) {
      throw new ConfigError(`${entry.key}: cannot read ${entry.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  return { cert: await read({ key: cert.key, path: cert.path }), key: await read({ key: key.key, path: key.path }) };
}
