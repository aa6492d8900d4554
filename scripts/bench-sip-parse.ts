/**
 * `npm run bench:sip-parse`: time of the SIP parser path (validateMessage, what every received
 * datagram and framed TCP message goes through) per message at the limits of src/sip/sip-parser.ts.
 * Prints wall-clock p50 / p99 / max and mean CPU per message kind, and the `sip` package's own parser on
 * the hostile input for comparison. Exit code 1 when a p50 or a mean CPU time is at or over 1 ms
 * (issue 9 item 2). On a loaded machine p99/max measure the scheduler more than the parser: the CPU
 * column is taken from process.cpuUsage() and is not inflated by preemption.
 */
import { performance } from 'node:perf_hooks';
import { parse as packageParse } from 'sip';
import { validateMessage } from '../src/sip/request-validator.js';
import { DEFAULT_SIP_LIMITS } from '../src/sip/sip-parser.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2000);
const BUDGET_MS = 1;
const source = { transport: 'udp', address: '192.0.2.7', port: 5062 } as const;

const head = (method: string, extra: string, body: string): Buffer =>
  Buffer.from(
    `${method} sip:12345@10.0.0.1 SIP/2.0\r\n` +
      'Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK776asdhds;rport\r\nMax-Forwards: 70\r\n' +
      'From: "李四" <sip:13900001111@192.0.2.7>;tag=1928301774\r\nTo: <sip:12345@10.0.0.1>\r\n' +
      `Call-ID: a84b4c76e66710@pc33\r\nCSeq: 314159 ${method}\r\nContact: <sip:13900001111@192.0.2.7:5062>\r\n` +
      `${extra}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`,
    'latin1',
  );

const sdp = ['v=0', 'o=- 1 1 IN IP4 192.0.2.7', 's=-', 'c=IN IP4 192.0.2.7', 't=0 0', 'm=audio 4000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=sendrecv', ''].join('\r\n');
const authValue = (bytes: number): string => {
  const rest = ', realm="hotline12345", nonce="18f2.ab", uri="sip:12345@10.0.0.1", response="0123456789abcdef0123456789abcdef"';
  return `Digest username="${'u'.repeat(bytes - 'Authorization: Digest username=""'.length - rest.length)}"${rest}`;
};
const inviteLen = head('INVITE', '', sdp).length;

const cases: readonly { name: string; data: Buffer }[] = [
  { name: 'normal INVITE with SDP', data: head('INVITE', 'Content-Type: application/sdp\r\n', sdp) },
  { name: 'INVITE, 8 KB Authorization', data: head('INVITE', `Authorization: ${authValue(DEFAULT_SIP_LIMITS.maxHeaderBytes)}\r\nContent-Type: application/sdp\r\n`, sdp) },
  {
    name: '64 KB message (7 KB headers, body)',
    data: head('INFO', `${Array.from({ length: 7 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(1000)}\r\n`).join('')}Content-Type: text/plain\r\n`, 'b'.repeat(DEFAULT_SIP_LIMITS.maxMessageBytes - inviteLen - 7100)),
  },
  { name: '60 KB Authorization (refused)', data: head('OPTIONS', `Authorization: ${authValue(60_000)}\r\n`, '') },
  { name: 'hostile 8 KB Authorization', data: head('OPTIONS', `Authorization: ${'A'.repeat(8000)}\r\n`, '') },
  { name: '7 x 8 KB Contact: <;x,<;x,… (refused)', data: head('OPTIONS', `Contact: ${'<;x,'.repeat(2000)}\r\n`.repeat(7), '') },
  { name: '7 x 8 KB Via list (refused)', data: head('OPTIONS', `Via: ${'SIP/2.0/UDP h;x, '.repeat(470)}\r\n`.repeat(7), '') },
  { name: '32 Contacts, each 250 B without >', data: head('OPTIONS', `Contact: ${`<;${'x'.repeat(248)},`.repeat(31)}<;x\r\n`, '') },
];

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const overBudget: string[] = [];
console.log(`| message | bytes | outcome | p50 ms | p99 ms | max ms | CPU ms/msg |\n|---|---|---|---|---|---|---|`);
function run(name: string, data: Buffer, rounds: number, parse: (data: Buffer) => string): void {
  for (let i = 0; i < Math.min(200, rounds); i++) parse(data);
  const times: number[] = [];
  let outcome = '';
  const cpu = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    outcome = parse(data);
    times.push(performance.now() - start);
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / rounds;
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  if (!name.startsWith('(before)') && (p50 >= BUDGET_MS || cpuMs >= BUDGET_MS)) overBudget.push(name);
  const f = (n: number): string => n.toFixed(3);
  console.log(`| ${name} | ${data.length} | ${outcome} | ${f(p50)} | ${f(percentile(times, 99))} | ${f(times.at(-1) ?? 0)} | ${f(cpuMs)} |`);
}
for (const { name, data } of cases) {
  run(name, data, ROUNDS, (d) => {
    const inbound = validateMessage(d, source);
    return inbound.kind === 'refuse' ? `refuse ${inbound.reply.status}` : inbound.kind;
  });
}
const hostile = cases.find((c) => c.name === 'hostile 8 KB Authorization');
if (hostile) run(`(before) sip package parse, ${hostile.name}`, hostile.data, 5, (d) => (packageParse(d) ? 'parsed' : 'unparsed'));
if (overBudget.length > 0) {
  console.error(`p50 or CPU time per message at or over ${BUDGET_MS} ms: ${overBudget.join('; ')}`);
  process.exitCode = 1;
}
