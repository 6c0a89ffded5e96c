// The Hatchet client shared by the worker and the helper scripts. It reads
// HATCHET_CLIENT_TOKEN, HATCHET_CLIENT_TLS_STRATEGY, HATCHET_CLIENT_HOST_PORT…
// from the environment, like any SDK user would.
import { HatchetClient, JsonObject } from '@hatchet-dev/typescript-sdk/v1';

export const hatchet = HatchetClient.init();

// parseInput reads a JSON object from a command-line argument.
export function parseInput(arg: string | undefined): JsonObject {
  if (arg === undefined || arg === '') return {};
  const value: unknown = JSON.parse(arg);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`input must be a JSON object, got ${arg}`);
  }
  return value as JsonObject;
}

// fail prints an error and exits non-zero; the Go harness shows stderr.
export function fail(err: unknown): never {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
}
