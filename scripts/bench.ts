/**
 * `npm run bench [-- --quick] [--media-workers=N] [--only=…]`: issue 15's measurements for this server
 * and the references, printed as Markdown and written to docs/bench-results.md (method there):
 *   1. set-up ladder (scripts/bench/setup-ladder.ts): short calls at rising rates, a fresh server per
 *      step, 503s counted apart; the same ladder against Kamailio (scripts/bench/ref/);
 *   2. overload (scripts/bench/overload.ts): ≈ 2× the clean ceiling, /healthz probed, recovery timed;
 *   3. media (scripts/bench/media-step.ts): N IVR calls with caller RTP, the server's RTP captured;
 *   4. ACD (scripts/bench/acd-phase.ts): agent ready / caller queued → agent INVITE.
 * Every step is bounded in time, the ladders stop at their first collapse, the run has a budget, and
 * every child process (servers, sipp, Kamailio, tcpdump) is killed on exit and on Ctrl-C. Exit code 0
 * when the run completed (steps that fall short are results), 1 when the benchmark could not run.
 */
import os from 'node:os';
import path from 'node:path';
import { freePortRange } from '../test/support/ports.js';
import { REPO_ROOT } from '../test/support/server-process.js';
import { runAcdPhase, type AcdPhaseResult } from './bench/acd-phase.js';
import { mediaStepEstimateS, runMediaStep, type MediaStep } from './bench/media-step.js';
import { sippVersion } from './bench/measure.js';
import { runOverload, type OverloadResult } from './bench/overload.js';
import { parseOptions, USAGE, type Options } from './bench/plan.js';
import { startKamailio } from './bench/ref/kamailio.js';
import { render } from './bench/render.js';
import { fmt, writeResults } from './bench/report.js';
import { Budget, log } from './bench/runtime.js';
import { RTP_PORTS, serverDefaults, serverSettings } from './bench/server.js';
import { cleanCeiling, runLadder, runReferenceStep, runServerStep, serverStepEstimateS, type LadderStep } from './bench/setup-ladder.js';

const RESULTS_FILE = path.join(REPO_ROOT, 'docs', 'bench-results.md');
/** Seconds the ACD phase takes at most (about 25 s for 10 agents, 60 s for 50). */
const ACD_ESTIMATE_S = 90;
/** Seconds the overload step takes at most besides its load: server start, recovery bound, teardown. */
const OVERLOAD_EXTRA_S = 30;

async function run(options: Options): Promise<void> {
  const { plan, phases } = options;
  const rates = options.rates ?? plan.rates;
  const mediaLevels = options.mediaLevels ?? plan.mediaLevels;
  serverSettings.rtpMin = await freePortRange(RTP_PORTS);
  serverSettings.mediaWorkers = options.mediaWorkers;
  serverSettings.extraEnv = options.serverEnv;
  const admission = serverDefaults(); // throws the server's own message for a bad --server-env value
  const budget = new Budget(plan.budgetS);
  const load0 = os.loadavg()[0] ?? NaN;
  const skipped: string[] = [];
  log(`${plan.mode} run, phases ${[...phases].join(', ')}; ladder ${rates.join('/')} calls/s × ${plan.rateStepS} s; media ${mediaLevels.join('/')}; ` +
    `MEDIA_WORKERS=${options.mediaWorkers}; server env ${JSON.stringify(options.serverEnv)}; budget ${plan.budgetS} s`);

  let ladder: LadderStep[] = [];
  if (phases.has('ladder')) {
    ladder = await runLadder('this server', rates, serverStepEstimateS(plan), budget, skipped, (rate) => runServerStep(plan, rate));
  }

  let kamailio: LadderStep[] = [];
  let kamailioVersion: string | undefined;
  let kamailioError: string | undefined;
  if (phases.has('kamailio')) {
    try {
      const kam = await startKamailio();
      kamailioVersion = kam.version;
      try {
        const target = `127.0.0.1:${kam.port}`;
        kamailio = await runLadder('Kamailio', rates, plan.rateStepS + plan.holdMs / 1000 + 15, budget, skipped, (rate) => runReferenceStep(plan, rate, target, kam.pid));
      } finally {
        await kam.stop();
      }
    } catch (err) {
      kamailioError = (err as Error).message;
      log(`Kamailio: ${kamailioError}`);
    }
  }

  let overload: OverloadResult | undefined;
  let overloadSkipped: string | undefined;
  if (phases.has('overload')) {
    const ceiling = cleanCeiling(ladder)?.rate;
    const rate = 2 * (ceiling ?? ladder[0]?.rate ?? rates[0] ?? 100);
    const basis = ceiling !== undefined
      ? `2× the clean ceiling (${ceiling} calls/s)`
      : ladder.length > 0 ? '2× the first ladder step (no step was clean)' : '2× the first ladder rate (ladder not run)';
    if (budget.fits(plan.overloadS + plan.recoveryBoundS + OVERLOAD_EXTRA_S)) {
      log(`overload: ${rate} calls/s for ${plan.overloadS} s`);
      overload = await runOverload(plan, rate, basis);
      log(`overload: ${overload.ok ? 'goal met' : overload.reason}`);
    } else {
      overloadSkipped = 'no time left in the budget';
      skipped.push('overload');
    }
  }

  const media: MediaStep[] = [];
  if (phases.has('media')) {
    for (const level of mediaLevels) {
      if (!budget.fits(mediaStepEstimateS(plan, level) + (phases.has('acd') ? ACD_ESTIMATE_S : 0))) {
        skipped.push(`media ${level}`);
        continue;
      }
      log(`media: ${level} calls with caller RTP`);
      const step = await runMediaStep(plan, level);
      log(`media: ${level} → ${step.ok ? 'ok' : step.reason}`);
      media.push(step);
      if (step.collapse) break;
    }
  }

  let acd: AcdPhaseResult | undefined;
  if (phases.has('acd')) {
    log(`acd: ${plan.acdAgents} agents, ${plan.acdAgents * 2} callers`);
    acd = await runAcdPhase({ agents: plan.acdAgents, rtpMin: serverSettings.rtpMin, rtpPorts: RTP_PORTS, log });
    log(`acd: ${acd.reason}`);
  }

  const markdown = render({
    plan,
    rates,
    mediaLevels,
    mediaWorkers: options.mediaWorkers,
    serverEnv: options.serverEnv,
    admissionDefaults: admission,
    ladder,
    kamailio,
    kamailioVersion,
    kamailioError,
    overload,
    overloadSkipped,
    media,
    acd,
    skipped,
    phases: [...phases],
    elapsedS: budget.elapsedS(),
    load0,
  });
  process.stdout.write(`${markdown}\n`);
  writeResults(RESULTS_FILE, plan.mode, markdown);
  log(`wrote ${path.relative(REPO_ROOT, RESULTS_FILE)} (${plan.mode} section) in ${fmt(budget.elapsedS(), 0)} s`);
}

function main(): void {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
    serverSettings.extraEnv = options.serverEnv;
    serverDefaults();
  } catch (err) {
    process.stderr.write(`${USAGE}\n${(err as Error).message}\n`);
    process.exit(2);
  }
  if (sippVersion() === 'sipp not found') {
    process.stderr.write('bench: sipp is not installed (apt-get install -y sip-tester)\n');
    process.exit(1);
  }
  run(options).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

// 'exit' handlers kill every child: servers and sipp (test/support), Kamailio and tcpdump (bench/runtime.ts).
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));
main();
