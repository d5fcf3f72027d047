/**
 * Packages loaded on first use. Most runs need none of them: templates are read by the
 * single-pass YAML and JSON readers (`iac/yaml-reader.ts`, `iac/json-reader.ts`), and a scan
 * without configuration or ignore files has nothing else to parse. Each is a CommonJS package, so
 * it loads synchronously where it is first needed:
 * - `yaml`: YAML the single-pass reader leaves to it, YAML configuration files, pnpm workspaces;
 * - `jsonc-parser`: JSON the single-pass reader leaves to it, configuration files, tsconfig and
 *   package.json files of the projects code rules follow imports into;
 * - `ignore`: `.gitignore` files and the configuration's ignore patterns.
 */
import { createRequire } from 'node:module';

export type YamlLibrary = typeof import('yaml');
export type JsoncParser = typeof import('jsonc-parser');
export type IgnoreFactory = typeof import('ignore');

const load = createRequire(import.meta.url);

let yaml: YamlLibrary | undefined;
let jsonc: JsoncParser | undefined;
let ignore: IgnoreFactory | undefined;

export function yamlLibrary(): YamlLibrary {
  return (yaml ??= load('yaml') as YamlLibrary);
}

export function jsoncParser(): JsoncParser {
  return (jsonc ??= load('jsonc-parser') as JsoncParser);
}

export function ignoreFactory(): IgnoreFactory {
  return (ignore ??= load('ignore') as IgnoreFactory);
}
