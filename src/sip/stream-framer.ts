/**
 * Splits a TCP byte stream into SIP messages (RFC 3261 §18.3: on a stream, Content-Length frames the
 * body; a missing Content-Length counts as 0). Works on bytes so multi-byte UTF-8 bodies are framed
 * correctly. Keep-alive CRLFs between messages (RFC 5626 §3.5.1) are skipped.
 *
 * Work is linear in the bytes received, however they are split: the buffer grows by doubling and the
 * search for the end of the head resumes where it stopped, so a peer dripping one byte per segment
 * costs no more than one sending the message whole.
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  /** Unconsumed bytes are buffer[start, end). */
  private start = 0;
  private end = 0;
  /** Where the search for CRLFCRLF resumes (absolute index into buffer). */
  private scanFrom = 0;
  /** Length of the message at `start` once its head has been read (so a dripped body is not re-read). */
  private expected: number | undefined;

  constructor(private readonly maxMessageBytes = 65535) {}

  /** Bytes received and not yet part of a complete message. */
  get pendingBytes(): number {
    return this.end - this.start;
  }

  /**
   * Adds received bytes and returns the complete messages now available.
   * Returns `undefined` when the peer exceeded the size limit: the caller closes the connection.
   */
  push(chunk: Buffer): Buffer[] | undefined {
    this.append(chunk);
    const messages: Buffer[] = [];
    for (;;) {
      while (this.end - this.start >= 2 && this.buffer[this.start] === 0x0d && this.buffer[this.start + 1] === 0x0a) {
        this.start += 2;
      }
      if (this.expected !== undefined) {
        if (this.end - this.start < this.expected) return messages;
        this.emit(messages, this.expected);
        continue;
      }
      this.scanFrom = Math.max(this.scanFrom, this.start);
      const headEnd = this.buffer.subarray(0, this.end).indexOf('\r\n\r\n', this.scanFrom, 'latin1');
      if (headEnd < 0) {
        this.scanFrom = Math.max(this.start, this.end - 3);
        return this.end - this.start > this.maxMessageBytes ? undefined : messages;
      }
      const head = this.buffer.subarray(this.start, headEnd).toString('latin1');
      const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
      const length = m?.[1] === undefined ? 0 : Number(m[1]);
      const total = headEnd - this.start + 4 + length;
      if (total > this.maxMessageBytes) return undefined;
      if (this.end - this.start < total) {
        this.expected = total;
        return messages;
      }
      this.emit(messages, total);
    }
  }

  private emit(messages: Buffer[], total: number): void {
    messages.push(Buffer.from(this.buffer.subarray(this.start, this.start + total)));
    this.start += total;
    this.scanFrom = this.start;
    this.expected = undefined;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      this.scanFrom = 0;
    }
  }

  private append(chunk: Buffer): void {
    const pending = this.end - this.start;
    if (this.end + chunk.length > this.buffer.length) {
      const size = Math.max(pending + chunk.length, Math.min(2 * this.buffer.length, this.maxMessageBytes + 1), 4096);
      const next = size > this.buffer.length ? Buffer.allocUnsafe(size) : this.buffer;
      this.buffer.copy(next, 0, this.start, this.end);
      this.buffer = next;
      this.scanFrom -= this.start;
      this.start = 0;
      this.end = pending;
    }
    chunk.copy(this.buffer, this.end);
    this.end += chunk.length;
  }
}
