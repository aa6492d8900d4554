import { expect } from 'chai';
import { isPortFree } from '../support/ports.js';
import { startServer } from '../support/server-process.js';

/**
 * The operator's way (issue 13): README's `npm start` runs the compiled server (dist/main.js, built
 * when stale), and SIGTERM to the process the operator started — npm's — drains and exits 0 with
 * nothing left behind holding the ports (before, npm exited 143 and the server ran on, orphaned).
 */
describe('production start: npm start and SIGTERM to its PID', function () {
  // A stale build is compiled first (tsc ~10 s, the workspace ~40 s on this machine).
  this.timeout(180_000);

  it('serves from dist/main.js, and SIGTERM to npm stops the server with exit code 0 and frees its ports', async () => {
    const server = await startServer({}, { command: 'npm-start', readyTimeoutMs: 150_000 });
    try {
      const health = await fetch(`${server.baseUrl}/healthz`);
      expect(health.status).to.equal(200);
      expect(server.logs()).to.include('hotline server started');
    } finally {
      const code = await server.stop('SIGTERM');
      expect(code, server.tail()).to.equal(0);
    }
    expect(server.logs()).to.include('"message":"stopped"');
    expect(await isPortFree(server.sipPort, 'udp'), 'SIP port released').to.equal(true);
    expect(await isPortFree(server.httpPort, 'tcp'), 'HTTP port released').to.equal(true);
  });
});
