import { readFileSync } from 'node:fs';

/** Descriptors kept for everything that is not a connection or an RTP socket: database, logs, WAVs, UDP. */
export const FD_RESERVE = 100;

/**
 * The descriptor budget (issue 9 item 10): SIP TCP and HTTP connection limits plus one socket per RTP
 * port plus a reserve must fit under the soft RLIMIT_NOFILE, or a flood of connections can starve
 * media and the database. Returns a warning to log, or undefined when it fits or the limit is unknown
 * (no /proc, as on macOS).
 */
export function fdHeadroomWarning(
  budget: { readonly sipTcp: number; readonly http: number; readonly rtpPorts: number },
  readLimits: () => string = () => readFileSync('/proc/self/limits', 'utf8'),
): string | undefined {
  let soft: number;
  try {
    const line = readLimits().split('\n').find((l) => l.startsWith('Max open files'));
    soft = Number(line?.slice('Max open files'.length).trim().split(/\s+/)[0]);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(soft) || soft <= 0) return undefined;
  const needed = budget.sipTcp + budget.http + budget.rtpPorts + FD_RESERVE;
  return needed > soft
    ? `open-file limit ${soft} is below SIP_TCP_MAX_CONNECTIONS ${budget.sipTcp} + HTTP_MAX_CONNECTIONS ${budget.http} + ${budget.rtpPorts} RTP ports + ${FD_RESERVE}: raise it (ulimit -n / LimitNOFILE) or lower the limits`
    : undefined;
}
