// Keeps the demo alive: one run of every demo entry at all times. Each run
// is checked every checkEveryMs; once the engine says it has ended (it slept
// its time, its event came, or someone cancelled it) a new run of the same
// entry is started renewAfterMs later, so the finished one can be seen
// leaving first. Without it the demo's sleeps end within about ten minutes
// and the list empties (issue 9).
//
// The schedule (Renewals) is pure and the driver (keepAlive) gets the engine
// and the clock from its caller, so keepalive.test.ts runs both on a fake
// clock.
import type { JsonObject } from '@hatchet-dev/typescript-sdk/v1';

export type Run = { task: string; input: JsonObject };

export type Timing = {
  checkEveryMs: number; // how often a live run's status is asked
  renewAfterMs: number; // how long after its end the next run starts
};

// The run statuses after which nothing more happens (V1TaskStatus).
const ended = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

export type Job = { slot: number; kind: 'trigger' } | { slot: number; kind: 'check'; id: string };

type Slot = { run: Run; id?: string; at: number };

// Renewals is the schedule: for every slot, either the live run's id and
// when to check it next, or when to start the next run.
export class Renewals {
  private slots: Slot[];

  // runs are the entries; ids, where given, are their live runs (started
  // before), checked first after one checkEveryMs.
  constructor(runs: Run[], private timing: Timing, now: number, ids: (string | undefined)[] = []) {
    this.slots = runs.map((run, i) => ({
      run,
      id: ids[i],
      at: ids[i] === undefined ? now : now + timing.checkEveryMs,
    }));
  }

  run(slot: number): Run {
    return this.slots[slot].run;
  }

  // due lists what is to be done at now, in slot order.
  due(now: number): Job[] {
    const jobs: Job[] = [];
    this.slots.forEach((s, slot) => {
      if (s.at > now) return;
      jobs.push(s.id === undefined ? { slot, kind: 'trigger' } : { slot, kind: 'check', id: s.id });
    });
    return jobs;
  }

  started(slot: number, id: string, now: number): void {
    this.slots[slot] = { ...this.slots[slot], id, at: now + this.timing.checkEveryMs };
  }

  // checked records a status; it reports whether the run has ended.
  checked(slot: number, status: string, now: number): boolean {
    const s = this.slots[slot];
    if (ended.has(status)) {
      this.slots[slot] = { run: s.run, at: now + this.timing.renewAfterMs };
      return true;
    }
    this.slots[slot] = { ...s, at: now + this.timing.checkEveryMs };
    return false;
  }

  // failed puts a job that could not be done (the engine did not answer)
  // off by one checkEveryMs; a live run stays live.
  failed(slot: number, now: number): void {
    this.slots[slot] = { ...this.slots[slot], at: now + this.timing.checkEveryMs };
  }

  // next is when the earliest job is due.
  next(): number {
    return Math.min(...this.slots.map((s) => s.at));
  }
}

export interface Engine {
  trigger(run: Run): Promise<string>; // the new run's id
  status(id: string): Promise<string>; // V1TaskStatus
}

export interface Clock {
  now(): number;
  // sleep resolves after ms, or at once when signal aborts.
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

// keepAlive runs the schedule until signal aborts, logging one line per
// renewal and per failure.
export async function keepAlive(
  r: Renewals,
  engine: Engine,
  clock: Clock,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    for (const job of r.due(clock.now())) {
      if (signal.aborted) return;
      const task = r.run(job.slot).task;
      try {
        if (job.kind === 'trigger') {
          const id = await engine.trigger(r.run(job.slot));
          r.started(job.slot, id, clock.now());
          log(`renewed ${task} ${id}`);
        } else {
          const status = await engine.status(job.id);
          if (r.checked(job.slot, status, clock.now())) log(`${task} ${job.id} ended ${status}`);
        }
      } catch (err) {
        r.failed(job.slot, clock.now());
        log(`${job.kind} ${task} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await clock.sleep(Math.max(0, r.next() - clock.now()), signal);
  }
}
