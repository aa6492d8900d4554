/**
 * The reference figures of issue 15 that the benchmark cannot re-measure here: drachtio-server is a
 * C++ daemon that is neither in Debian nor on npm (drachtio-srf, its Node framework, is on npm but
 * needs the daemon), and this machine reaches only the npm registry and Debian, so it can be neither
 * installed nor built from source. Its numbers were measured in the session that filed issue 15, on
 * this machine, with the same sipp ladder (1 s hold, 20 s per step): drachtio-server built from
 * source with a drachtio-srf UAS answering every INVITE with 200. They are printed as "reference
 * from issue 15, not re-measured". Kamailio is re-measured by the benchmark; its issue figures are
 * kept here to compare with.
 */

export interface IssueReference {
  name: string;
  /** Highest clean rate the issue reports (calls/s). */
  cleanCeiling: number;
  /** Set-up CPU per call (ms). */
  cpuMsPerCall: number;
  /** What the issue says per ladder rate, verbatim in short. */
  byRate: ReadonlyMap<number, string>;
  /** Beyond the ladder. */
  beyond: string;
}

export const DRACHTIO_ISSUE_15: IssueReference = {
  name: 'drachtio-server + drachtio-srf UAS',
  cleanCeiling: 800,
  cpuMsPerCall: 2.3,
  byRate: new Map([
    [200, 'ok, p99 4 ms'],
    [300, 'ok'],
    [400, 'ok'],
    [600, 'ok'],
    [800, 'ok'],
  ]),
  beyond: '3.6 % retransmissions at 1,200 calls/s',
};

export const KAMAILIO_ISSUE_15: IssueReference = {
  name: 'Kamailio (stateless 200)',
  cleanCeiling: 3200,
  cpuMsPerCall: 0.25,
  byRate: new Map([
    [200, 'ok, p99 4 ms'],
    [300, 'ok'],
    [400, 'ok'],
    [600, 'ok'],
    [800, 'ok'],
  ]),
  beyond: 'ok up to 3,200 calls/s',
};

/** This server as issue 15 found it (before the work on the issue), for the record. */
export const SERVER_ISSUE_15 = {
  cleanCeiling: 200,
  cpuMsPerCall: 4.2,
  byRate: new Map([
    [200, '4,000 ok, p99 92 ms, 84 % of a core'],
    [300, '5 failed, 23,744 retransmissions, p99 14 s'],
    [400, '30-40 % failed, retransmission storms'],
  ]),
} as const;
