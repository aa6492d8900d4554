import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const heapCheck = fileURLToPath(new URL('../../fixtures/heap/call-record-keys-heap.ts', import.meta.url));

describe('call record keys', () => {
  it('when a Call-ID parsed from an INVITE is remembered, the INVITE text itself is not kept alive', async function () {
    // In a process of its own: a heap snapshot of the whole unit run is slow and its strings many.
    this.timeout(60_000);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', heapCheck], { timeout: 55_000 });
    expect(stdout.trim().split(' ').slice(0, 2)).to.deep.equal(['control-seen', 'free']);
  });
});
