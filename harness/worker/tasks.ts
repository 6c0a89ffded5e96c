// Durable tasks that give hatchtop something real to show: labelled and
// unlabelled sleeps, event waits, an OR wait, retries, logs and streams.
// Every duration, key and label comes from the task input (with defaults) so
// tests choose them. Labels are passed through untouched on purpose: tests
// send control sequences and expect them back byte for byte.
import { Duration, Or } from '@hatchet-dev/typescript-sdk/v1';
import { hatchet } from './client';

type Input = {
  sleep?: string;
  label?: string;
  key?: string;
  scope?: string;
  seconds?: number;
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

export const allTasks = [
  sleepLabelled,
  waitEventLabelled,
  waitOrLabelled,
  retryThenSleep,
  sleepUnlabelled,
  streamAndLog,
];
