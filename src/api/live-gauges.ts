import { Gauge, type Registry } from 'prom-client';
import type { LiveBoardSnapshot } from '../metrics/live-board.js';

/**
 * Live queue gauges on /metrics, read from the live board at scrape time: callers waiting, the
 * longest wait, agents per state, and today's service level (computed from stored rows).
 */
export function registerLiveGauges(registry: Registry, board: { readonly snapshot: LiveBoardSnapshot }): void {
  const waiting = new Gauge({
    name: 'hotline_calls_waiting',
    help: 'Callers waiting for an agent, by queue',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      waiting.reset();
      for (const [queue, n] of Object.entries(board.snapshot.waiting)) waiting.set({ queue }, n);
    },
  });
  new Gauge({
    name: 'hotline_longest_wait_seconds',
    help: 'How long the longest-waiting caller has waited',
    registers: [registry],
    collect() {
      this.set(board.snapshot.longestWaitS);
    },
  });
  const agents = new Gauge({
    name: 'hotline_agents',
    help: 'Logged-in agents by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      agents.reset();
      for (const state of ['ready', 'not-ready', 'offered', 'busy', 'wrap-up']) agents.set({ state }, board.snapshot.agents[state] ?? 0);
    },
  });
  new Gauge({
    name: 'hotline_service_level_today_ratio',
    help: '15秒接通率 since local midnight: answered within the threshold / calls that asked for an agent (NaN before the first call)',
    registers: [registry],
    collect() {
      this.set(board.snapshot.today.serviceLevel ?? Number.NaN);
    },
  });
}
