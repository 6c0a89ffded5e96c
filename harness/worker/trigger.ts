// Triggers task runs without waiting for their results.
//
//   tsx trigger.ts <task-name> ['<json input>']   prints the run id
//   tsx trigger.ts demo                           starts the demo set, one id per line
import { JsonObject } from '@hatchet-dev/typescript-sdk/v1';
import { hatchet, parseInput, fail } from './client';

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

async function main() {
  const [task, arg] = process.argv.slice(2);
  if (!task) fail('usage: trigger.ts <task-name> [json-input] | trigger.ts demo');
  const runs = task === 'demo' ? demo : [{ task, input: parseInput(arg) }];
  for (const run of runs) {
    const id = await trigger(run.task, run.input);
    console.log(task === 'demo' ? `${run.task} ${id}` : id);
  }
  process.exit(0);
}

main().catch(fail);
