import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { getHeapSnapshot } from 'node:v8';
import { CallRecordKeys } from '../../../src/db/call-record-keys.js';
import { parseSipMessage } from '../../../src/sip/sip-parser.js';

/**
 * The INVITE a SIP phone sends, padded like a real one (~2 KB), with `marker` (bytes, not a string,
 * so that no live string but the INVITE holds its text) in its branch.
 */
function invite(marker: Buffer, callId: string): string {
  return [
    `INVITE sip:12345@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-${marker.toString('latin1')}`,
    `From: "caller" <sip:13900000000@127.0.0.1>;tag=1`,
    `To: <sip:12345@127.0.0.1>`,
    `Call-ID: ${callId}`,
    `CSeq: 1 INVITE`,
    `Contact: <sip:13900000000@127.0.0.1:5060>`,
    `Subject: ${'x'.repeat(1500)}`,
    `Content-Length: 0`,
    '',
    '',
  ].join('\r\n');
}

function callIdOf(raw: string): string {
  const parsed = parseSipMessage(raw);
  if (!parsed.ok) throw new Error('the test INVITE did not parse');
  return parsed.message.headers['call-id'] ?? '';
}

/** Whether any live string of this process contains `bytes` (a heap snapshot collects garbage first). */
async function heapHolds(bytes: Buffer): Promise<boolean> {
  let found = false;
  let tail = Buffer.alloc(0);
  for await (const chunk of getHeapSnapshot()) {
    const part = Buffer.concat([tail, chunk as Buffer]);
    if (part.includes(bytes)) found = true;
    tail = part.subarray(-bytes.length);
  }
  return found;
}

describe('call record keys', () => {
  it('when a Call-ID parsed from an INVITE is remembered, the INVITE text itself is not kept alive', async function () {
    this.timeout(60_000);
    const keys = new CallRecordKeys();
    const marker = Buffer.concat([Buffer.from('leakmarker'), Buffer.from(randomBytes(8).toString('hex'))]);
    const callId = `${randomBytes(12).toString('hex')}@127.0.0.1`;
    // The server keeps only the Call-ID of the INVITE once the INVITE is handled.
    keys.remember(callIdOf(invite(marker, callId)), 'key-1');
    expect(keys.keyOf(callId)).to.equal('key-1');
    // The parser (V8's per-subject caches of split/regex results) may hold the one message parsed
    // last until the next one: a single slot, not growth. The next INVITE, as on a live server.
    callIdOf(invite(Buffer.from('another-invite'), `${randomBytes(12).toString('hex')}@127.0.0.1`));
    expect(await heapHolds(marker)).to.equal(false);
  });
});
