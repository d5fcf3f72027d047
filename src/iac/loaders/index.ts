/**
 * Loader registry: picks the loader of an IaC file by name and content.
 *
 * - `*.tf` → Terraform (needs `initHcl()` first; `needsHcl` tells when);
 * - `serverless.yml` / `serverless.yaml` with top-level `service:` and `provider:` → Serverless
 *   Framework;
 * - `*.asl.json` / `*.asl.yaml` / `*.asl.yml` → a standalone Step Functions definition;
 * - anything else → CloudFormation / SAM / synthesized CDK, recognised by content.
 */
import path from 'node:path';
import { loadTemplate, looksLikeTemplate, type LoadTemplateResult } from './cloudformation.js';
import { loadServerless } from './serverless.js';
import { linkTerraformModules, loadTerraform } from './terraform.js';
import type { Template } from '../model.js';
import { initHcl } from '../hcl.js';
import { isAslFile, loadAslFile } from './asl.js';
import { evaluateDefaults } from '../defaults.js';

export { initHcl };
export type IacFileFormat = 'terraform' | 'serverless' | 'cloudformation' | 'asl';

const SERVERLESS_FILE = /^serverless\.ya?ml$/i;

/** Does the text have the top-level keys of a Serverless Framework service? */
function looksLikeServerless(text: string): boolean {
  return /^service\s*:/m.test(text) && /^provider\s*:/m.test(text);
}

/**
 * The format an IaC file would be loaded as, or undefined when a cheap text sniff says it is
 * not one (false positives are fine: the loader decides; false negatives are not).
 */
export function iacFormat(file: string, text: string): IacFileFormat | undefined {
  const base = path.basename(file);
  if (base.toLowerCase().endsWith('.tf')) return 'terraform';
  if (isAslFile(base)) return 'asl';
  if (SERVERLESS_FILE.test(base) && looksLikeServerless(text)) return 'serverless';
  return looksLikeTemplate(text) ? 'cloudformation' : undefined;
}

/**
 * True when the file, if it is IaC at all, loads as CloudFormation, SAM or synthesized CDK: its
 * template can then be loaded on a worker thread and passed back (see `../transfer.ts`).
 * Terraform, Serverless and standalone state machines load on the main thread.
 */
export function loadsAnywhere(file: string): boolean {
  const base = path.basename(file);
  return !base.toLowerCase().endsWith('.tf') && !isAslFile(base) && !SERVERLESS_FILE.test(base);
}

/** True when some of these files need the HCL parser. */
export function needsHcl(files: readonly string[]): boolean {
  return files.some((f) => f.toLowerCase().endsWith('.tf'));
}

/**
 * Loads an IaC file of any supported format. Returns null when the file is not IaC; otherwise
 * the template (unless the text cannot be read at all) and parse problems. Never throws for bad
 * input.
 */
export function loadIacFile(file: string, text: string): LoadTemplateResult | null {
  switch (iacFormat(file, text)) {
    case 'terraform':
      return loadTerraform(file, text);
    case 'serverless':
      return loadServerless(file, text) ?? loadTemplate(file, text);
    case 'cloudformation':
      return loadTemplate(file, text);
    case 'asl':
      return loadAslFile(file, text);
    default:
      return null;
  }
}

/**
 * Cross-file links after every file is loaded (Terraform modules span the files of a directory,
 * nested stacks pass parameters to their children), and CloudFormation / SAM templates evaluated
 * at their default deployment (`../defaults.ts`); call once before running the IaC rules.
 */
export function linkTemplates(templates: readonly Template[]): void {
  evaluateDefaults(templates);
  linkTerraformModules(templates);
}
