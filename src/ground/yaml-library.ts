/**
 * The `yaml` package, loaded on first use. Templates are read by the single-pass reader
 * (`iac/yaml-reader.ts`) and most scans never need the package: loading it costs about as much as
 * reading a hundred templates. It is a CommonJS package, so it loads synchronously when a YAML
 * construct, a configuration file or a workspace file first needs it.
 */
import { createRequire } from 'node:module';

export type YamlLibrary = typeof import('yaml');

let library: YamlLibrary | undefined;

export function yamlLibrary(): YamlLibrary {
  return (library ??= createRequire(import.meta.url)('yaml') as YamlLibrary);
}
