// Triggers task runs without waiting for their results.
//
//   tsx trigger.ts <task-name> ['<json input>']   prints the run id
//   tsx trigger.ts demo                           starts the demo set, one id per line
//   tsx trigger.ts demo --keep-alive              the same, prints "demo runs started", then
//                                                 replaces every demo run that ends (keepalive.ts)
//                                                 until SIGTERM or SIGINT
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonObject } from '@hatchet-dev/typescript-sdk/v1';
import { hatchet, parseInput, fail } from './client';
import { Renewals, keepAlive } from './keepalive';

type Run = { task: string; input: JsonObject };

// The demo set covers every task but short-timeout-sleep, with inputs that
// keep runs visible for a while.
const demo: Run[] = [
  { task: 'sleep-labelled', input: {} },
  { task: 'sleep-labelled', input: { sleep: '45s', label: 'short nap' } },
  { task: 'wait-event-labelled', input: {} },
  { task: 'wait-or-labelled', input: {} },
  { task: 'retry-then-sleep', input: {} },
  { task: 'sleep-unlabelled', input: {} },
  { task: 'stream-and-log', input: { seconds: 120 } },
  // 2400 chunks at 500ms: a live stream for 20 minutes.
  { task: 'stream-fast', input: { chunks: 2400, intervalMs: 500, sleep: '10m' } },
  { task: 'scoped-wait', input: {} },
  // Evicted about 5s after it starts waiting; push evict:wake to bring it back.
  { task: 'evictable-wait', input: {} },
  { task: 'logs-only', input: {} },
  // short-timeout-sleep is left out on purpose: it fails after 30s.
];

async function trigger(task: string, input: JsonObject): Promise<string> {
  const ref = await hatchet.runNoWait(task, input);
  return ref.getWorkflowRunId();
}

// The keep-alive's pace: a demo run that ends is replaced 20 to 35 s later.
const timing = { checkEveryMs: 15_000, renewAfterMs: 20_000 };

async function main() {
  const [task, arg] = process.argv.slice(2);
  if (!task) fail('usage: trigger.ts <task-name> [json-input] | trigger.ts demo [--keep-alive]');
  const keep = task === 'demo' && arg === '--keep-alive';
  if (task === 'demo' && arg !== undefined && !keep) fail(`trigger.ts demo: unknown argument ${arg}`);
  const runs = task === 'demo' ? demo : [{ task, input: parseInput(arg) }];
  const ids: string[] = [];
  for (const run of runs) {
    const id = await trigger(run.task, run.input);
    ids.push(id);
    console.log(task === 'demo' ? `${run.task} ${id}` : id);
  }
  if (keep) {
    const stop = new AbortController();
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => stop.abort());
    console.log('demo runs started');
    await keepAlive(
      new Renewals(demo, timing, Date.now(), ids),
      { trigger: (run) => trigger(run.task, run.input), status: (id) => hatchet.runs.get_status(id) },
      { now: Date.now, sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined) },
      (line) => console.log(line),
      stop.signal,
    );
  }
  process.exit(0);
}

main().catch(fail);
