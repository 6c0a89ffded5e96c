// Registers every demo task's workflow in the token's tenant and exits,
// without serving it: runs triggered there afterwards stay QUEUED until a
// worker for that tenant starts. The harness uses it for a second tenant.
//
//   tsx register.ts        prints "registered N workflows"
import { hatchet, fail } from './client';
import { allTasks } from './tasks';

async function main() {
  // Creating a worker registers its workflows; it is never started.
  await hatchet.worker('hatchtop-register', { workflows: allTasks });
  console.log(`registered ${allTasks.length} workflows`);
  process.exit(0);
}

main().catch(fail);
