// The demo's keep-alive on a fake clock: node's test runner through tsx,
//
//   node_modules/.bin/tsx --test keepalive.test.ts
//
// (harness/stack's TestWorkerKeepAlive runs it from go test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, Engine, Renewals, Run, Timing, keepAlive } from './keepalive';

const timing: Timing = { checkEveryMs: 15_000, renewAfterMs: 20_000 };

// A fake clock that jumps to each wake-up at once and aborts the run once
// it passes until.
class FakeClock implements Clock {
  t = 0;
  constructor(private until: number, private stop: AbortController) {}
  now() {
    return this.t;
  }
  async sleep(ms: number) {
    this.t += ms;
    if (this.t > this.until) this.stop.abort();
  }
}

// A fake engine: a run of task is queued for 20 s, then lasts until
// lifetimes[task] ms after its start (Infinity: until someone ends it);
// answers fail while failing() says so.
class FakeEngine implements Engine {
  runs: { id: string; task: string; start: number; end: number }[] = [];
  failing = (): boolean => false;
  constructor(private clock: FakeClock, private lifetimes: Record<string, number>) {}
  async trigger(run: Run) {
    if (this.failing()) throw new Error('engine unavailable');
    const id = `${run.task}-${this.runs.length}`;
    const start = this.clock.now();
    this.runs.push({ id, task: run.task, start, end: start + this.lifetimes[run.task] });
    return id;
  }
  async status(id: string) {
    if (this.failing()) throw new Error('engine unavailable');
    const run = this.runs.find((r) => r.id === id)!;
    if (this.clock.now() >= run.end) return 'COMPLETED';
    return this.clock.now() < run.start + 20_000 ? 'QUEUED' : 'RUNNING'; // a busy worker picks it up late
  }
  of(task: string) {
    return this.runs.filter((r) => r.task === task);
  }
}

const demo: Run[] = [
  { task: 'sleep', input: {} },
  { task: 'wait', input: {} },
];

test('a run that ends is replaced, one at a time, renewAfterMs to renewAfterMs + checkEveryMs after its end', async () => {
  const stop = new AbortController();
  const clock = new FakeClock(30 * 60_000, stop);
  const engine = new FakeEngine(clock, { sleep: 120_000, wait: Infinity });
  const log: string[] = [];
  await keepAlive(new Renewals(demo, timing, 0), engine, clock, (l) => log.push(l), stop.signal);

  const sleeps = engine.of('sleep');
  // 30 minutes of 2-minute sleeps, renewed at most 35 s after each end.
  assert.ok(sleeps.length >= 12 && sleeps.length <= 14, `${sleeps.length} sleeps in 30 minutes`);
  for (let i = 1; i < sleeps.length; i++) {
    const gap = sleeps[i].start - sleeps[i - 1].end;
    assert.ok(gap >= timing.renewAfterMs, `run ${i} started ${gap} ms after the previous ended: two at once`);
    assert.ok(gap <= timing.renewAfterMs + timing.checkEveryMs, `run ${i} started ${gap} ms after the previous ended`);
  }
  assert.equal(engine.of('wait').length, 1, 'a run still waiting is never duplicated');
  assert.ok(log.includes('sleep sleep-0 ended COMPLETED') && log.includes(`renewed sleep ${sleeps[1].id}`), log.join('\n'));
});

test('runs started before are only checked, and an event wait that ends is replaced too', async () => {
  const stop = new AbortController();
  const clock = new FakeClock(10 * 60_000, stop);
  const engine = new FakeEngine(clock, { sleep: Infinity, wait: Infinity });
  // The demo set as trigger.ts starts it, before the keep-alive begins.
  const ids = [await engine.trigger(demo[0]), await engine.trigger(demo[1])];
  const woken = 3 * 60_000;
  engine.runs[1].end = woken; // someone sends the event three minutes in
  await keepAlive(new Renewals(demo, timing, 0, ids), engine, clock, () => {}, stop.signal);

  assert.equal(engine.of('sleep').length, 1);
  const waits = engine.of('wait');
  assert.equal(waits.length, 2, 'the woken wait is replaced once');
  assert.ok(waits[1].start >= woken + timing.renewAfterMs && waits[1].start <= woken + timing.renewAfterMs + timing.checkEveryMs);
});

test('an engine that does not answer delays renewals and duplicates nothing', async () => {
  const stop = new AbortController();
  const clock = new FakeClock(20 * 60_000, stop);
  const engine = new FakeEngine(clock, { sleep: 60_000, wait: Infinity });
  const down = { from: 2 * 60_000, to: 7 * 60_000 };
  engine.failing = () => clock.now() >= down.from && clock.now() < down.to;
  const log: string[] = [];
  await keepAlive(new Renewals(demo, timing, 0), engine, clock, (l) => log.push(l), stop.signal);

  assert.ok(log.some((l) => l.endsWith('failed: engine unavailable')));
  assert.equal(engine.of('wait').length, 1, 'a failed check is not an end');
  const sleeps = engine.of('sleep');
  for (let i = 1; i < sleeps.length; i++) {
    assert.ok(sleeps[i].start >= sleeps[i - 1].end + timing.renewAfterMs, `two sleeps at once around run ${i}`);
  }
  const after = sleeps.find((r) => r.start >= down.to);
  // The run that ended during the outage is seen ended at the first check
  // after it, and replaced one renewAfterMs later.
  assert.ok(
    after && after.start <= down.to + timing.checkEveryMs + timing.renewAfterMs,
    `first renewal after the outage at ${after?.start}`,
  );
});

test('abort ends the loop while it sleeps', async () => {
  const stop = new AbortController();
  const engine: Engine = { trigger: async () => 'id', status: async () => 'RUNNING' };
  let slept = 0;
  const clock: Clock = {
    now: () => 0,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        slept = ms;
        signal.addEventListener('abort', () => resolve(), { once: true });
        setImmediate(() => stop.abort());
      }),
  };
  await keepAlive(new Renewals(demo, timing, 0), engine, clock, () => {}, stop.signal);
  assert.equal(slept, timing.checkEveryMs);
});
