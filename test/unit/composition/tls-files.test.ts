import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaFile } from '../../../src/composition/tls-files.js';
import { ConfigError } from '../../../src/shared/app-error.js';
import { selfSignedCertificate } from '../../support/self-signed.js';

/** SIP_TLS_CA is read at start: a file that cannot serve as trust anchors stops the start, naming the key and the path. */
describe('readCaFile (SIP_TLS_CA)', function () {
  this.timeout(10_000);
  let dir: string;
  let first: string;
  let second: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sip-tls-ca-'));
    first = readFileSync(selfSignedCertificate().cert, 'utf8');
    second = readFileSync(selfSignedCertificate('DNS:localhost').cert, 'utf8');
  });

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  async function refusal(path: string): Promise<string> {
    const err: unknown = await readCaFile({ key: 'SIP_TLS_CA', path }).then(
      () => new Error('the file was taken'),
      (e: unknown) => e,
    );
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }

  it('when SIP_TLS_CA is unset, there is nothing to read', async () => {
    expect(await readCaFile({ key: 'SIP_TLS_CA', path: undefined })).to.equal(undefined);
  });

  it('when the file holds two certificates (and text around them), both are trusted, each as its own PEM', async () => {
    const pems = await readCaFile({ key: 'SIP_TLS_CA', path: file('two.pem', `carrier root\n${first}\nprovincial gateway\n${second}`) });
    expect(pems).to.deep.equal([first.trim(), second.trim()]);
  });

  it('when the file is missing, the start is refused naming SIP_TLS_CA and the path', async () => {
    const path = join(dir, 'missing.pem');
    expect(await refusal(path)).to.match(new RegExp(`^SIP_TLS_CA: cannot read ${path}: ENOENT`));
  });

  it('when the file holds no certificate (a private key, say), the start is refused naming SIP_TLS_CA and the path', async () => {
    const path = file('key.pem', readFileSync(selfSignedCertificate().key, 'utf8'));
    expect(await refusal(path)).to.equal(`SIP_TLS_CA: ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  });

  it('when a certificate in the file does not parse, the start is refused naming which one', async () => {
    const path = file('broken.pem', `${first}\n-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n`);
    expect(await refusal(path)).to.match(new RegExp(`^SIP_TLS_CA: certificate 2 of ${path} does not parse`));
  });
});
