// Running a scenario file (scenario-parse.ts reads and checks it) on a LiveNetwork: each step's
// action for each UE of its group, in order, with the run's summary and ledgers at the end.

import { checkNetwork, overlayConfig, ConfigError, type NetworkConfig } from '../common/config.ts';
import { LiveNetwork, type LiveNetworkOptions, type StopResult } from './live-network.ts';
import { subscribersFor, type ScenarioProgress } from '../scenario.ts';
import { pcfTerminateOn, afCreateOn, afDeleteOn, policyUpdateOn, awaitReleaseOn } from './policy-commands.ts';
import { outOfCoverageOn, inCoverageOn, awaitImplicitOn } from './coverage-commands.ts';
import { amfReleaseOn } from './amf-release-command.ts';

export * from './scenario-parse.ts';
import type { UeGroup, Scenario, ScenarioStep } from './scenario-parse.ts';
import { moveOn, awaitPeriodicOn } from './mobility-commands.ts';
import { watchStepOrder } from './step-order.ts';

function members(g: UeGroup, supis: string[]): string[] {
  if (g.kind === 'all') return supis;
  if (g.kind === 'first') return supis.slice(0, g.count);
  return supis.slice(g.from - 1, g.to);
}

export interface ScenarioRunResult extends StopResult {
  ues: { supi: string; error?: string }[];
  /** One line per step and UE whose `order:` was not followed (step-order.ts); any makes the run not OK. */
  orderErrors: string[];
}

export interface ScenarioFileOptions extends LiveNetworkOptions {
  /** The UE count is `cfg.ue.count` (`--ues`), not the scenario's `ues`. */
  forceUes?: boolean;
  /** Stops the run early (Ctrl-C): no new action starts, those under way finish, the outputs say "interrupted". */
  signal?: AbortSignal;
  /** Counters for a progress line: UEs registered, with a session, deregistered, failed. */
  progress?: ScenarioProgress;
}

/** The run's configuration: `cfg` with the scenario's `config` keys merged over it; throws ConfigError naming the key. */
export function scenarioConfig(cfg: NetworkConfig, scenario: Scenario): NetworkConfig {
  if (!scenario.config) return cfg;
  try {
    return overlayConfig(cfg, scenario.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`scenario ${scenario.name}: config.${e.message}`);
    throw e;
  }
}

/** Runs `scenario` on a LiveNetwork started from `cfg` (its `ues`, unless `cfg.ue.count` is forced) with the scenario's `config` over it. */
export async function runScenarioFile(base: NetworkConfig, scenario: Scenario, o: ScenarioFileOptions): Promise<ScenarioRunResult> {
  const cfg = scenarioConfig(base, scenario);
  const count = o.forceUes || scenario.ues === undefined ? cfg.ue.count : scenario.ues;
  // roaming (issue 17): the UEs are the home PLMN's subscribers (derived from its first one); the serving PLMN keeps its own
  const runCfg: NetworkConfig = scenario.roaming ? roamingRunConfig(cfg, count) : { ...cfg, ue: { ...cfg.ue, count } };
  const net = await LiveNetwork.start(runCfg, { ...o, ...(scenario.amfTimers ? { amfTimers: { ...scenario.amfTimers, ...(o.amfTimers ?? {}) } } : {}) });
  const supis = scenario.roaming ? runCfg.roaming.home.subscribers.slice(0, count).map((s) => net.add(s.supi).supi) : runCfg.ue.count > 0 ? net.addConfiguredUes() : [];
  const progress = o.progress ?? { ues: 0, registered: 0, withSession: 0, deregistered: 0, failed: 0, finished: 0 };
  progress.ues = supis.length;
  const failed = new Map<string, string>();
  const background: Promise<void>[] = [];
  /** Each UE's last action: a UE's next action waits for it (a background ping, say). */
  const tails = new Map<string, Promise<void>>();
  const ctx: StepContext = { net, failed, tails, progress, ...(o.signal ? { signal: o.signal } : {}) };
  const orderErrors: string[] = [];
  try {
    for (const [index, step] of scenario.steps.entries()) {
      if (o.signal?.aborted) break;
      if (step.action === 'wait') {
        await sleep(step.seconds * 1000, o.signal);
        continue;
      }
      const group = members(step.group, supis).filter((s) => !failed.has(s));
      // an external core traces its events in its own processes: the order is judged only where the core runs here
      const run = step.order && !o.externalCore ? orderedStep(ctx, step, group, `steps[${index}] (${step.action})`, orderErrors) : runStep(ctx, step, group);
      if (step.background) background.push(run);
      else await run;
    }
    await Promise.all(background);
  } finally {
    await Promise.allSettled(background);
  }
  const interrupted = o.signal?.aborted === true;
  const r = await net.stop({ interrupted });
  progress.finished = supis.length;
  return { ...r, ok: r.ok && failed.size === 0 && orderErrors.length === 0, orderErrors, ues: supis.map((supi) => ({ supi, ...(failed.has(supi) ? { error: failed.get(supi) } : {}) })) };
}

/** The PLMN a step acts in: `visited` (the serving PLMN, default) or `home` (issue 17). */

/** A roaming run's configuration: roaming on, `count` home subscribers derived as `wire5g run` derives UEs. */
function roamingRunConfig(cfg: NetworkConfig, count: number): NetworkConfig {
  const home = cfg.roaming.home;
  const subscribers = subscribersFor({ ...cfg, plmn: home.plmn, subscribers: home.subscribers, ue: { ...cfg.ue, count } });
  const run = { ...cfg, roaming: { ...cfg.roaming, enabled: true, home: { ...home, subscribers } } };
  checkNetwork(run); // the home PLMN's addresses, as a configuration with roaming on is checked
  return run;
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface StepContext {
  net: LiveNetwork;
  failed: Map<string, string>;
  tails: Map<string, Promise<void>>;
  progress: ScenarioProgress;
  signal?: AbortSignal;
}

/**
 * runStep, the events traced meanwhile checked against the step's `order`. When the order is not
 * complete as the actions end (a home H-SMF's step 6 follows the answer the action waits for), the
 * network settles first; a step whose order is complete goes on at once, so the run's timing is that
 * of the same scenario without `order`.
 */
async function orderedStep(ctx: StepContext, step: Exclude<ScenarioStep, { action: 'wait' }>, group: string[], label: string, errors: string[]): Promise<void> {
  const watch = watchStepOrder(label, step.order ?? [], group);
  let found: string[];
  try {
    await runStep(ctx, step, group);
    if (watch.check(ctx.failed).length > 0) await ctx.net.settle();
  } finally {
    found = watch.finish(ctx.failed);
  }
  // an interrupted run stops steps half way: their order says nothing
  if (!ctx.signal?.aborted) errors.push(...found);
}

async function runStep(ctx: StepContext, step: Exclude<ScenarioStep, { action: 'wait' }>, group: string[]): Promise<void> {
  const { net, failed, tails, progress, signal } = ctx;
  const t0 = Date.now();
  let next = 0;
  const previous = new Map(group.map((supi) => [supi, tails.get(supi)]));
  const done = new Map<string, () => void>();
  for (const supi of group) tails.set(supi, new Promise<void>((r) => done.set(supi, r)));
  const act = async (supi: string, i: number): Promise<void> => {
    switch (step.action) {
      case 'register':
        await net.register(supi, step.snssai ? { snssai: step.snssai } : step.emergency ? { emergency: true } : {});
        progress.registered++;
        return;
      case 'pdu-establish':
        await net.establishPduSession(supi, { ...(step.emergency ? { emergency: true } : {}), ...(step.psi !== undefined ? { psi: step.psi } : {}), ...(step.dnn ? { dnn: step.dnn } : {}), ...(step.snssai ? { snssai: step.snssai } : {}) });
        progress.withSession++;
        return;
      case 'pdu-release':
        await net.releasePduSession(supi, step.psi);
        return;
      case 'amf-deregister':
        await net.amfDeregister(supi, { reRegistrationRequired: step.reregister, ...(step.cause !== undefined ? { fiveGmmCause: step.cause } : {}), ...(step.t3346 !== undefined ? { t3346Seconds: step.t3346 } : {}) });
        return;
      case 'amf-release':
        await amfReleaseOn(net, supi, step.psi, step.cause);
        return;
      case 'udm-withdraw':
        await net.udmWithdraw(supi, { access: step.access });
        return;
      case 'udm-update':
        await net.udmUpdateSnssai(supi, step.snssai);
        return;
      case 'smf-release':
        if (step.plmn === 'home') await net.hsmfRelease(supi, step.psi, { ...(step.cause !== undefined ? { fiveGsmCause: step.cause } : {}), ...(step.replaceSnssai ? { altHplmnSnssai: step.replaceSnssai } : {}) });
        else await net.smfRelease(supi, step.psi, step.cause !== undefined ? { fiveGsmCause: step.cause } : {});
        return;
      case 'pcf-terminate':
        await pcfTerminateOn(net, supi, step.psi, step.cause ?? 'UNSPECIFIED', step.plmn ?? 'visited');
        return;
      case 'ping':
        await net.ping(supi, { count: step.count, ...(step.intervalMs ? { intervalMs: step.intervalMs } : {}), ...(step.psi !== undefined ? { psi: step.psi } : {}), ...(step.size !== undefined ? { size: step.size } : {}) });
        return;
      case 'af-create':
        await afCreateOn(net, supi, step.psi);
        return;
      case 'af-delete':
        await afDeleteOn(net, supi, step.psi);
        return;
      case 'policy-update':
        await policyUpdateOn(net, supi, { ...(step.usage !== undefined ? { usage: step.usage } : {}), ...(step.dnns ? { dnns: step.dnns } : {}), ...(step.monitoringKeys ? { monitoringKeys: step.monitoringKeys } : {}) });
        return;
      case 'await-release':
        await awaitReleaseOn(net, supi, step.psi, step.seconds);
        return;
      case 'an-release':
        await net.anRelease(supi);
        return;
      case 'out-of-coverage':
        await outOfCoverageOn(net, supi);
        return;
      case 'in-coverage':
        await inCoverageOn(net, supi, step.update);
        return;
      case 'await-implicit':
        await awaitImplicitOn(net, supi, step.seconds);
        return;
      case 'move':
        await moveOn(net, supi, step.tac);
        return;
      case 'update':
        await net.updateRegistration(supi, step.type);
        return;
      case 'await-periodic':
        await awaitPeriodicOn(net, supi, step.seconds);
        return;
      case 'provision':
        await net.provision(supi);
        return;
      case 'await-deregistration':
        await net.awaitOnboardingDeregistration(supi, step.seconds);
        progress.deregistered++;
        return;
      case 'deregister':
        // 'mixed' alternates as `wire5g run --deregistration mixed` does: switch off first
        await net.deregister(supi, { switchOff: step.mode === 'switch-off' || (step.mode === 'mixed' && i % 2 === 0), access: step.access });
        progress.deregistered++;
        return;
    }
  };
  await Promise.all(Array.from({ length: Math.min(step.parallel ?? 50, group.length) }, async () => {
    while (next < group.length) {
      const i = next++;
      const supi = group[i];
      try {
        if (step.rate) {
          const due = t0 + (i * 1000) / step.rate - Date.now();
          if (due > 0) await sleep(due, signal);
        }
        await previous.get(supi);
        // interrupted: what is under way finishes, nothing new starts (the network switches off the registered UEs when it stops)
        if (!failed.has(supi) && !signal?.aborted) await act(supi, i);
      } catch (e) {
        if (!failed.has(supi)) progress.failed++;
        failed.set(supi, `${step.action}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        done.get(supi)?.();
      }
    }
  }));
}
