import { ValidationError } from '../shared/app-error.js';

/**
 * A queues file that cannot be used. The message starts with the file, then the queue (when there
 * is one), then the field and the reason, e.g.
 * `ivr-flows/queues.yaml: queue "complaint": overflow: unknown queue "genral"`.
 */
export class QueueFileError extends ValidationError {
  override readonly code = 'QUEUES_INVALID';

  constructor(
    readonly file: string,
    readonly queue: string | undefined,
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const where = [file, ...(queue === undefined ? [] : [`queue "${queue}"`]), ...(field === '' ? [] : [field])];
    super(`${where.join(': ')}: ${reason}`, [{ path: [queue ?? '', field].filter((s) => s !== '').join('.'), message: reason }], options);
  }
}
