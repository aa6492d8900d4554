import { X509Certificate } from 'node:crypto';
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

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The CA certificates of a PEM file (SIP_TLS_CA), each as its own PEM string, or undefined when the key
 * is unset. A file that cannot be read, holds no certificate, or holds one that does not parse refuses
 * the start, naming the key and the file: a typo must not leave a carrier link unverifiable at 3 a.m.
 */
export async function readCaFile(entry: { readonly key: string; readonly path: string | undefined }): Promise<string[] | undefined> {
  if (entry.path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(entry.path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${entry.key}: cannot read ${entry.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const pems = text.match(PEM_CERTIFICATE) ?? [];
  if (pems.length === 0) throw new ConfigError(`${entry.key}: ${entry.path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  pems.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new ConfigError(`${entry.key}: certificate ${i + 1} of ${entry.path} does not parse: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  });
  return pems;
}
