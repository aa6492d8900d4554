import { ValidationError } from '../shared/app-error.js';

/**
 * A trunks file that cannot be used. The message starts with the file, then the trunk (when there
 * is one), then the field and the reason, e.g.
 * `ivr-flows/trunks.yaml: trunk "carrier": addresses[1]: "10.0.0.5/24" has host bits set …`.
 */
export class TrunkFileError extends ValidationError {
  override readonly code = 'TRUNKS_INVALID';

  constructor(
    readonly file: string,
    readonly trunk: string | undefined,
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    const where = [file, ...(trunk === undefined ? [] : [`trunk "${trunk}"`]), ...(field === '' ? [] : [field])];
    super(`${where.join(': ')}: ${reason}`, [{ path: [trunk ?? '', field].filter((s) => s !== '').join('.'), message: reason }], options);
  }
}
