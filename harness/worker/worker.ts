// Starts the "hatchtop-demo" worker with every demo task and prints
// "worker ready" once the engine has registered it, so harnesses can wait
// for that line instead of sleeping.
import { hatchet, fail } from './client';
import { allTasks } from './tasks';

async function main() {
  const worker = await hatchet.worker('hatchtop-demo', {
    workflows: allTasks,
    slots: 50,
    durableSlots: 500,
  });
  const stopped = worker.start();
  await worker.waitUntilReady(60_000);
  console.log('worker ready');
  await stopped;
}

main().catch(fail);
