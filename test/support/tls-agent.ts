import { expect } from 'chai';
import { join } from 'node:path';
import { ApiClient } from './api-client.js';
import { makeToneWav, startBaresip, type Baresip, type BaresipAccount } from './baresip.js';
import { freePort } from './ports.js';
import { selfSignedCertificate } from './self-signed.js';
import { ADMIN, REPO_ROOT, startServer, type ServerHandle } from './server-process.js';
import { testDatabaseUrl, type TestDatabaseUrl } from './test-database.js';

const FIXTURES = join(REPO_ROOT, 'test/e2e/fixtures');

/** A server with SIP over TLS (self-signed certificate) and an agent whose baresip registers over TLS. */
export interface TlsAgentRig {
  readonly server: ServerHandle;
  readonly database: TestDatabaseUrl;
  readonly tlsPort: number;
  readonly phone: Baresip;
}

/**
 * Starts the agent e2e server (fixtures' queues and flow) with SIP_TLS_* and `env`, creates agent
 * `agent<extension>` with password `pass-<extension>`, and starts its baresip: TLS registration,
 * auto-answer, PCMU, an 880 Hz tone as its microphone, `mediaenc` as given. What started is stopped
 * again when a later step fails.
 */
export async function startTlsAgentRig(extension: string, options: { env?: Record<string, string>; mediaenc?: BaresipAccount['mediaenc']; toneSeconds?: number } = {}): Promise<TlsAgentRig> {
  const database = await testDatabaseUrl();
  let server: ServerHandle | undefined;
  try {
    const { cert, key } = selfSignedCertificate();
    const tlsPort = await freePort('tcp');
    server = await startServer(
      { QUEUES_FILE: join(FIXTURES, 'queues.yaml'), IVR_FLOW: join(FIXTURES, 'agent-flow.yaml'), SIP_TLS_CERT: cert, SIP_TLS_KEY: key, SIP_TLS_PORT: String(tlsPort), ...options.env },
      { databaseUrl: database.url, readyTimeoutMs: 60_000 },
    );
    const admin = await ApiClient.login(server.baseUrl, ADMIN.username, ADMIN.password);
    const password = `pass-${extension}`;
    const created = await admin.post('/api/v1/agents', { username: `agent${extension}`, password, displayName: `话务员${extension}`, extension, skills: ['general'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const phone = await startBaresip({
      audioSource: makeToneWav(undefined, { frequency: 880, seconds: options.toneSeconds ?? 90, volume: 0.3 }),
      account: {
        user: extension,
        password,
        registrar: `127.0.0.1:${tlsPort}`,
        register: true,
        answerMode: 'auto',
        transport: 'tls',
        codecs: 'PCMU',
        ...(options.mediaenc === undefined ? {} : { mediaenc: options.mediaenc }),
      },
      extraConfig: [`sip_cafile ${cert}`],
    });
    return { server, database, tlsPort, phone };
  } catch (err) {
    await server?.stop();
    await database.cleanup();
    throw err;
  }
}
