import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Path of a fixture file under test/fixtures. */
export function fixturePath(...parts: string[]): string {
  return join(root, ...parts);
}

/** A field case copied from the shared case set (test/fixtures/cases). */
export function caseText(name: string): string {
  return readFileSync(fixturePath('cases', name), 'utf8');
}

export function caseJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(caseText(name)) as T;
}
