// Pushes a user event over gRPC (the REST event endpoint is deprecated).
//
//   tsx push.ts <key> ['<json payload>'] [scope]
import { hatchet, parseInput, fail } from './client';

async function main() {
  const [key, arg, scope] = process.argv.slice(2);
  if (!key) fail('usage: push.ts <key> [json-payload] [scope]');
  const event = await hatchet.events.push(key, parseInput(arg), scope ? { scope } : undefined);
  console.log(event.eventId);
  process.exit(0);
}

main().catch(fail);
