// Durable tasks that give hatchtop something real to show: labelled and
// unlabelled sleeps, event waits (scoped or not), an OR wait, retries, logs
// at several levels, fast streams, a short execution timeout and eviction.
// Every duration, key and label comes from the task input (with defaults) so
// tests choose them. Labels are passed through untouched on purpose: tests
// send control sequences and expect them back byte for byte.
import { Duration, EvictionPolicy, Or } from '@hatchet-dev/typescript-sdk/v1';
import { hatchet } from './client';

type Input = {
  sleep?: string;
  label?: string;
  key?: string;
  scope?: string;
  seconds?: number;
  chunks?: number;
  intervalMs?: number;
  delayMs?: number;
  holdIndex?: number; // stream-fast: the event_index sent late
  holdMs?: number; // how late
};

// Generous, so that long demo sleeps never hit the execution timeout.
const executionTimeout: Duration = '24h';

const dur = (value: string | undefined, fallback: string) => (value ?? fallback) as Duration;

export const sleepLabelled = hatchet.durableTask({
  name: 'sleep-labelled',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const label = input.label ?? 'cooling down before retry';
    const res = await ctx.sleepFor(dur(input.sleep, '120s'), { label });
    return { sleptMs: res.durationMs };
  },
});

export const waitEventLabelled = hatchet.durableTask({
  name: 'wait-event-labelled',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const key = input.key ?? 'payment:confirmed';
    const label = input.label ?? 'awaiting payment confirmation';
    const event = await ctx.waitForEvent(key, undefined, undefined, input.scope, undefined, label);
    return { event };
  },
});

export const waitOrLabelled = hatchet.durableTask({
  name: 'wait-or-labelled',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const key = input.key ?? 'approval:granted';
    const label = input.label ?? 'approval or timeout';
    const res = await ctx.waitFor(Or({ sleepFor: dur(input.sleep, '10m') }, { eventKey: key }), label);
    return { result: res };
  },
});

export const retryThenSleep = hatchet.durableTask({
  name: 'retry-then-sleep',
  executionTimeout,
  retries: 3,
  fn: async (input: Input, ctx) => {
    // retryCount is 0 on the first attempt, so attempts 1 and 2 fail.
    const attempt = ctx.retryCount() + 1;
    if (attempt < 3) {
      throw new Error(`attempt ${attempt} fails on purpose`);
    }
    await ctx.sleepFor(dur(input.sleep, '10m'), { label: input.label ?? 'third time lucky' });
    return { attempt };
  },
});

export const sleepUnlabelled = hatchet.durableTask({
  name: 'sleep-unlabelled',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const res = await ctx.sleepFor(dur(input.sleep, '5m'));
    return { sleptMs: res.durationMs };
  },
});

export const streamAndLog = hatchet.durableTask({
  name: 'stream-and-log',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const seconds = input.seconds ?? 60;
    for (let i = 1; i <= seconds; i++) {
      await ctx.logger.info(`log line ${i} of ${seconds}`);
      await ctx.putStream(`chunk ${i} of ${seconds}\n`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await ctx.sleepFor(dur(input.sleep, '10m'), { label: input.label ?? 'resting after streaming' });
    return { seconds };
  },
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// stream-fast: chunks stamped with the wall-clock time (ms since the epoch)
// at which they were handed to the SDK, so a test can measure the delay from
// putStream to the screen. Each chunk is followed by a log line with the same
// stamp. delayMs waits before the first chunk, so that a subscriber can be in
// place: the engine holds the chunks of a subscriber that missed the first
// one for about 5s. An optional labelled sleep keeps the run alive afterwards.
export const streamFast = hatchet.durableTask({
  name: 'stream-fast',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const chunks = input.chunks ?? 20;
    const intervalMs = input.intervalMs ?? 250;
    if (input.delayMs) await pause(input.delayMs);
    // Chunk i is due at start + (i-1) * intervalMs, not intervalMs after the
    // previous one: 20 chunks/s stays 20 chunks/s however slow a call is.
    const start = Date.now();
    let held: Promise<void> | undefined;
    for (let i = 1; i <= chunks; i++) {
      const at = Date.now();
      if (i - 1 === input.holdIndex) {
        // Sent holdMs late under its own index, as a retried call would be:
        // the engine holds the chunks after it for up to 5s, then gives up.
        const index = ctx._incrementStreamIndex();
        const text = `chunk ${i} at ${at}\n`;
        held = pause(input.holdMs ?? 8000).then(() => ctx.runtime.putStream(ctx.action.taskRunExternalId, text, index));
      } else {
        await ctx.putStream(`chunk ${i} at ${at}\n`);
      }
      await ctx.logger.info(`log ${i} at ${at}`);
      if (i < chunks) await pause(Math.max(0, start + i * intervalMs - Date.now()));
    }
    await held;
    if (input.sleep !== undefined) {
      await ctx.sleepFor(input.sleep as Duration, { label: input.label ?? 'after stream' });
    }
    return { chunks };
  },
});

// short-timeout-sleep: its execution timeout is fixed at 30s (the SDK has no
// per-run override) and it sleeps longer than that by default.
export const shortTimeoutSleep = hatchet.durableTask({
  name: 'short-timeout-sleep',
  executionTimeout: '30s',
  fn: async (input: Input, ctx) => {
    const res = await ctx.sleepFor(dur(input.sleep, '45s'), { label: input.label ?? 'longer than my timeout' });
    return { sleptMs: res.durationMs };
  },
});

// scoped-wait: an event wait that only an event pushed with the same scope
// satisfies.
export const scopedWait = hatchet.durableTask({
  name: 'scoped-wait',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const key = input.key ?? 'order:shipped';
    const scope = input.scope ?? 'tenant-a';
    const label = input.label ?? 'waiting for scoped shipment';
    const event = await ctx.waitForEvent(key, undefined, undefined, scope, undefined, label);
    return { event };
  },
});

// Eviction is decided by the worker's SDK, per task: a run that has waited
// longer than ttl is evicted (its slot freed) and restored by the engine once
// the wait is satisfied, or by an explicit restore.
const quickEviction: EvictionPolicy = { ttl: '5s', allowCapacityEviction: true, priority: 0 };

// evictable-wait: an event wait that the worker evicts about 5s after it
// starts waiting.
export const evictableWait = hatchet.durableTask({
  name: 'evictable-wait',
  executionTimeout,
  evictionPolicy: quickEviction,
  fn: async (input: Input, ctx) => {
    const key = input.key ?? 'evict:wake';
    const label = input.label ?? 'evicted while waiting';
    const event = await ctx.waitForEvent(key, undefined, undefined, input.scope, undefined, label);
    return { event };
  },
});

// logs-only: one log line per level, then a long labelled sleep.
export const logsOnly = hatchet.durableTask({
  name: 'logs-only',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    await ctx.logger.debug('debug: a detail only a debugger wants');
    await ctx.logger.info('info: started and doing fine');
    await ctx.logger.warn('warn: something looks odd');
    await ctx.logger.error('error: something went wrong (on purpose)');
    await ctx.sleepFor(dur(input.sleep, '10m'), { label: input.label ?? 'logged and sleeping' });
    return { logged: 4 };
  },
});

// wait-event-chain: `steps` event waits in a row, on `${key}:1`,
// `${key}:2`, …, labelled `${label} step N`, so that each push moves the
// open wait to a new label: a test can time the label's change on screen.
export const waitEventChain = hatchet.durableTask({
  name: 'wait-event-chain',
  executionTimeout,
  fn: async (input: Input & { steps?: number }, ctx) => {
    const key = input.key ?? 'chain';
    const label = input.label ?? 'chain';
    const steps = input.steps ?? 5;
    for (let i = 1; i <= steps; i++) {
      await ctx.waitForEvent(`${key}:${i}`, undefined, undefined, undefined, undefined, `${label} step ${i}`);
    }
    return { steps };
  },
});

// plain-wait (issue 7, TIMEOUT of a plain task): a non-durable task that
// just runs for input.seconds (default 240) under a 5m execution timeout.
export const plainWait = hatchet.task({
  name: 'plain-wait',
  executionTimeout: '5m',
  fn: async (input: Input) => {
    await new Promise((resolve) => setTimeout(resolve, (input.seconds ?? 240) * 1000));
    return { waited: input.seconds ?? 240 };
  },
});

// wait-then-fail (issue 10, finished tasks): an event wait, then a failure
// with a two-line message and no retry, so the list keeps it as ✘ with the
// message's first line.
export const waitThenFail = hatchet.durableTask({
  name: 'wait-then-fail',
  executionTimeout,
  retries: 0,
  fn: async (input: Input, ctx) => {
    const key = input.key ?? 'order:rejected';
    await ctx.waitForEvent(key, undefined, undefined, input.scope, undefined, input.label ?? 'waiting to fail');
    throw new Error(`${input.label ?? 'order rejected'}: card declined\nsecond line of the error`);
  },
});

// release-then-sleep (issue 10, slots): gives its worker slot back
// (ctx.releaseSlot, the engine's SLOT_RELEASED task event), then sleeps
// with a label, so a running task shows "slot released".
export const releaseThenSleep = hatchet.durableTask({
  name: 'release-then-sleep',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    await ctx.releaseSlot();
    const res = await ctx.sleepFor(dur(input.sleep, '120s'), { label: input.label ?? 'sleeping without a slot' });
    return { sleptMs: res.durationMs };
  },
});

// skip-parent-dag (issue 10, slots): "decide" asks to skip "maybe", whose
// skip condition reads its output; "after-skip" has both as parents and
// sleeps with a label, so its data tab shows a parent that was skipped.
export const skipParentDag = hatchet.workflow<Input>({ name: 'skip-parent-dag' });
const decide = skipParentDag.task({ name: 'decide', fn: async () => ({ skip: true }) });
const maybe = skipParentDag.task({
  name: 'maybe',
  parents: [decide],
  skipIf: [{ parent: decide, expression: 'output.skip == true' }],
  fn: async () => ({ ran: true }),
});
skipParentDag.durableTask({
  name: 'after-skip',
  parents: [decide, maybe],
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const res = await ctx.sleepFor(dur(input.sleep, '120s'), { label: input.label ?? 'after a skipped parent' });
    return { sleptMs: res.durationMs };
  },
});

// filtered-event (issue 10, slots): triggered by the event slots:filtered;
// a filter on the workflow (created by the test, with a payload) matches
// the event's scope, and the task sleeps with a label.
export const filteredEvent = hatchet.durableTask({
  name: 'filtered-event',
  onEvents: ['slots:filtered'],
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const res = await ctx.sleepFor(dur(input.sleep, '120s'), { label: input.label ?? 'triggered through a filter' });
    return { sleptMs: res.durationMs, filter: ctx.filterPayload() };
  },
});

// spawn-child (issue 10, children): a durable task that spawns one
// sleep-labelled child through the durable event log (a RUN entry) and
// waits for it; the child sleeps input.sleep (default 40s) labelled
// input.label (default "child nap").
export const spawnChild = hatchet.durableTask({
  name: 'spawn-child',
  executionTimeout,
  fn: async (input: Input, ctx) => {
    const child = await ctx.spawnChild(sleepLabelled, {
      sleep: input.sleep ?? '40s',
      label: input.label ?? 'child nap',
    });
    return { child };
  },
});

export const allTasks = [
  releaseThenSleep,
  skipParentDag,
  filteredEvent,
  spawnChild,
  waitThenFail,
  sleepLabelled,
  waitEventLabelled,
  waitOrLabelled,
  retryThenSleep,
  sleepUnlabelled,
  streamAndLog,
  streamFast,
  shortTimeoutSleep,
  scopedWait,
  evictableWait,
  logsOnly,
  plainWait,
  waitEventChain,
];
