/**
 * Splits a TCP byte stream into SIP messages (RFC 3261 §18.3: on a stream, Content-Length frames the
 * body; a missing Content-Length counts as 0). Works on bytes so multi-byte UTF-8 bodies are framed
 * correctly. Keep-alive CRLFs between messages (RFC 5626 §3.5.1) are skipped.
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes = 65535) {}

  /**
   * Adds received bytes and returns the complete messages now available.
   * Returns `undefined` when the peer exceeded the size limit: the caller closes the connection.
   */
  push(chunk: Buffer): Buffer[] | undefined {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    for (;;) {
      let start = 0;
      while (start + 1 < this.buffer.length && this.buffer[start] === 0x0d && this.buffer[start + 1] === 0x0a) start += 2;
      if (start > 0) this.buffer = this.buffer.subarray(start);
      const headerEnd = this.buffer.indexOf('\r\n\r\n', 0, 'latin1');
      if (headerEnd < 0) {
        return this.buffer.length > this.maxMessageBytes ? undefined : messages;
      }
      const head = this.buffer.subarray(0, headerEnd).toString('latin1');
      const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
      const length = m?.[1] === undefined ? 0 : Number(m[1]);
      const total = headerEnd + 4 + length;
      if (total > this.maxMessageBytes) return undefined;
      if (this.buffer.length < total) return messages;
      messages.push(Buffer.from(this.buffer.subarray(0, total)));
      this.buffer = this.buffer.subarray(total);
    }
  }
}
