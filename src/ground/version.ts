/** The package's name and version. */
import { readFileSync } from 'node:fs';

let cached: { name: string; version: string } | undefined;

/** Name and version from the package.json two levels above this module (src/ground or dist/ground). */
export function packageInfo(): { name: string; version: string } {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    cached = { name: typeof pkg.name === 'string' ? pkg.name : 'rel4lint', version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
  }
  return cached;
}

export function toolVersion(): string {
  return packageInfo().version;
}
