import { ValidationError } from '../shared/app-error.js';

/**
 * A flow file that cannot be used: YAML syntax, schema, dangling reference, unknown prompt, loop.
 * The message always starts with the file, then the node (when there is one), then the reason, e.g.
 * `ivr-flows/default.yaml: node "main-menu": options."1": unknown node "consultx"`.
 */
export class FlowError extends ValidationError {
  override readonly code = 'FLOW_INVALID';

  constructor(
    readonly file: string,
    /** The node at fault; undefined for file-level problems (syntax, `start`, `name`). */
    readonly nodeId: string | undefined,
    /** Field path inside the node or file, e.g. `options."1"`; empty when the whole node is at fault. */
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const where = [file, ...(nodeId === undefined ? [] : [`node "${nodeId}"`]), ...(field === '' ? [] : [field])];
    super(`${where.join(': ')}: ${reason}`, [{ path: [nodeId ?? '', field].filter((s) => s !== '').join('.'), message: reason }], options);
  }
}
