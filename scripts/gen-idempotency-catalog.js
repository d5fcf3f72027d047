#!/usr/bin/env node
/**
 * Generates src/code/idempotency-catalog.json: every AWS API operation whose input has a member
 * marked `"idempotencyToken": true`, read from the API models that ship in the `aws-sdk` (v2)
 * npm package (`apis/<prefix>-<version>.min.json`, newest version of each service).
 *
 * Usage:
 *   node scripts/gen-idempotency-catalog.js                 write the catalog
 *   node scripts/gen-idempotency-catalog.js --check         compare with the committed catalog
 *   node scripts/gen-idempotency-catalog.js --file <path>   write (or with --check, compare) another path
 *
 * Exit codes: 0 written or up to date, 1 out of date (--check), 2 usage error or aws-sdk missing.
 *
 * Output layout (keys sorted, 2-space indent, trailing newline):
 *   source          "aws-sdk@<version> API models"
 *   operationCount  number of operations listed under services
 *   services        { <v3 package suffix>: { v2: <v2 class>, operations: { <Operation>: <member> } } }
 *                   only services with at least one token operation; an operation with several
 *                   token members (none in the current models) lists them as an array, in model order
 *   unmarked        { <v3 package suffix>: { <Operation>: <member> } }: operations without a marked
 *                   member whose input has an optional member named IdempotencyToken (any case)
 *                   that the models do not mark (ACM RequestCertificate, CodeBuild StartBuild):
 *                   the service takes it as a token, but the SDK does not generate one
 *   v2Classes       { <v2 class>: <v3 package suffix> } for every service in apis/metadata.json
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_OUTPUT = path.join(repoRoot, 'src', 'code', 'idempotency-catalog.json');
const SCRIPT = 'node scripts/gen-idempotency-catalog.js';
const USAGE = `usage: ${SCRIPT} [--check] [--file <path>]`;

/**
 * @typedef {{ shape?: string, idempotencyToken?: boolean }} MemberRef
 * @typedef {{ type?: string, shape?: string, members?: Record<string, MemberRef>, required?: string[] }} ShapeDef
 * @typedef {{ input?: ShapeDef }} OperationDef
 * @typedef {{
 *   metadata: { serviceId?: string, serviceAbbreviation?: string, serviceFullName?: string },
 *   operations: Record<string, OperationDef>,
 *   shapes?: Record<string, ShapeDef>,
 * }} ApiModel
 * @typedef {{ name: string, prefix?: string }} MetadataEntry
 * @typedef {string | string[]} TokenMembers
 * @typedef {{ v2: string, operations: Record<string, TokenMembers> }} ServiceEntry
 * @typedef {{
 *   source: string,
 *   operationCount: number,
 *   services: Record<string, ServiceEntry>,
 *   unmarked: Record<string, Record<string, string>>,
 *   v2Classes: Record<string, string>,
 * }} Catalog
 * @typedef {{ identifier: string, v2: string, suffix: string, reason: string }} Fallback
 */

class UsageError extends Error {}

/**
 * @param {string[]} argv
 * @returns {{ check: boolean, file: string }}
 */
function parseArgs(argv) {
  let check = false;
  let file = DEFAULT_OUTPUT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') {
      check = true;
    } else if (arg === '--file') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--file needs a path');
      file = path.resolve(value);
    } else if (arg.startsWith('--file=')) {
      file = path.resolve(arg.slice('--file='.length));
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return { check, file };
}

/**
 * Finds the installed aws-sdk package directory, or undefined when it is not installed.
 * @returns {string | undefined}
 */
function findAwsSdk() {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  try {
    const dir = path.dirname(require.resolve('aws-sdk/package.json'));
    return existsSync(path.join(dir, 'apis', 'metadata.json')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {string} file
 * @returns {any}
 */
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * The `@aws-sdk/client-<suffix>` package suffix of a model: its serviceId, lowercased, with
 * whitespace runs replaced by dashes. Models without a serviceId fall back to the service
 * abbreviation (without a leading "AWS"/"Amazon"), then to the metadata.json identifier.
 * @param {ApiModel} model
 * @param {string} identifier metadata.json key, e.g. "cloudwatchlogs"
 * @returns {{ suffix: string, fallback?: string }}
 */
function packageSuffix(model, identifier) {
  /** @param {string} name */
  const slug = (name) => name.trim().toLowerCase().replace(/\s+/g, '-');
  const { serviceId, serviceAbbreviation } = model.metadata;
  if (serviceId) return { suffix: slug(serviceId) };
  if (serviceAbbreviation) {
    return {
      suffix: slug(serviceAbbreviation.replace(/^(AWS|Amazon)\s+/, '')),
      fallback: `no serviceId, used serviceAbbreviation "${serviceAbbreviation}"`,
    };
  }
  return { suffix: identifier.toLowerCase(), fallback: 'no serviceId or serviceAbbreviation, used the metadata.json key' };
}

/**
 * Newest model file of each prefix: `<prefix>-<YYYY-MM-DD>.min.json` → version.
 * @param {string} apisDir
 * @returns {Map<string, string>}
 */
function newestVersions(apisDir) {
  /** @type {Map<string, string>} */
  const newest = new Map();
  for (const file of readdirSync(apisDir)) {
    const match = /^(.+)-(\d{4}-\d{2}-\d{2})\.min\.json$/.exec(file);
    if (!match) continue;
    const [, prefix, version] = match;
    const current = newest.get(prefix);
    if (current === undefined || version > current) newest.set(prefix, version);
  }
  return newest;
}

/**
 * Members of an operation's input structure that carry the idempotency-token trait.
 * @param {ApiModel} model
 * @param {OperationDef} operation
 * @returns {string[]}
 */
function tokenMembers(model, operation) {
  const input = inputShape(model, operation);
  if (!input?.members) return [];
  return Object.entries(input.members)
    .filter(([, member]) => member.idempotencyToken === true)
    .map(([name]) => name);
}

/**
 * An optional member of an operation's input named IdempotencyToken (any case) without the trait:
 * a token the service takes and the SDK does not fill in. A required one is always given.
 * @param {ApiModel} model
 * @param {OperationDef} operation
 * @returns {string | undefined}
 */
function unmarkedTokenMember(model, operation) {
  const input = inputShape(model, operation);
  if (!input?.members) return undefined;
  return Object.keys(input.members).find((name) => name.toLowerCase() === 'idempotencytoken' && !(input.required ?? []).includes(name));
}

/**
 * The input structure of an operation, following shape references.
 * @param {ApiModel} model
 * @param {OperationDef} operation
 * @returns {ShapeDef | undefined}
 */
function inputShape(model, operation) {
  let input = operation.input;
  const seen = new Set();
  while (input?.shape !== undefined && input.members === undefined) {
    if (seen.has(input.shape)) break;
    seen.add(input.shape);
    input = model.shapes?.[input.shape];
  }
  return input;
}

/**
 * @param {string} sdkDir
 * @returns {{ catalog: Catalog, fallbacks: Fallback[] }}
 */
export function buildCatalog(sdkDir) {
  const apisDir = path.join(sdkDir, 'apis');
  const version = readJson(path.join(sdkDir, 'package.json')).version;
  /** @type {Record<string, MetadataEntry>} */
  const metadata = readJson(path.join(apisDir, 'metadata.json'));
  const newest = newestVersions(apisDir);

  /** @type {Record<string, ServiceEntry>} */
  const services = {};
  /** @type {Record<string, Record<string, string>>} */
  const unmarked = {};
  /** @type {Record<string, string>} */
  const v2Classes = {};
  /** @type {Map<string, string>} suffix → v2 class, to catch collisions */
  const owners = new Map();
  /** @type {Fallback[]} */
  const fallbacks = [];
  let operationCount = 0;

  for (const [identifier, entry] of Object.entries(metadata)) {
    const prefix = entry.prefix ?? identifier;
    const apiVersion = newest.get(prefix);
    if (apiVersion === undefined) throw new Error(`no API model apis/${prefix}-*.min.json for ${entry.name}`);
    /** @type {ApiModel} */
    const model = readJson(path.join(apisDir, `${prefix}-${apiVersion}.min.json`));

    const { suffix, fallback } = packageSuffix(model, identifier);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(suffix)) {
      throw new Error(`unexpected package suffix "${suffix}" for ${entry.name}`);
    }
    const owner = owners.get(suffix);
    if (owner !== undefined) throw new Error(`${owner} and ${entry.name} both map to client-${suffix}`);
    owners.set(suffix, entry.name);
    if (fallback) fallbacks.push({ identifier, v2: entry.name, suffix, reason: fallback });
    v2Classes[entry.name] = suffix;

    /** @type {Record<string, TokenMembers>} */
    const operations = {};
    /** @type {Record<string, string>} */
    const unmarkedOperations = {};
    for (const [name, operation] of Object.entries(model.operations)) {
      const members = tokenMembers(model, operation);
      if (members.length === 0) {
        const member = unmarkedTokenMember(model, operation);
        if (member !== undefined) unmarkedOperations[name] = member;
        continue;
      }
      operations[name] = members.length === 1 ? members[0] : members;
      operationCount++;
    }
    if (Object.keys(operations).length > 0) services[suffix] = { v2: entry.name, operations };
    if (Object.keys(unmarkedOperations).length > 0) unmarked[suffix] = unmarkedOperations;
  }

  return {
    catalog: { source: `aws-sdk@${version} API models`, operationCount, services, unmarked, v2Classes },
    fallbacks,
  };
}

/**
 * JSON with object keys sorted at every level (arrays keep their order), 2-space indent and a
 * trailing newline.
 * @param {unknown} value
 * @returns {string}
 */
export function stableStringify(value) {
  /** @param {unknown} node @returns {unknown} */
  const sort = (node) => {
    if (Array.isArray(node)) return node.map(sort);
    if (node !== null && typeof node === 'object') {
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const key of Object.keys(node).sort()) out[key] = sort(/** @type {Record<string, unknown>} */ (node)[key]);
      return out;
    }
    return node;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** @param {string} file */
function displayPath(file) {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * @param {string[]} argv
 * @returns {number} exit code
 */
function main(argv) {
  /** @type {{ check: boolean, file: string }} */
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`gen-idempotency-catalog: ${error.message}\n${USAGE}`);
    return 2;
  }

  const sdkDir = findAwsSdk();
  if (sdkDir === undefined) {
    console.error(
      'gen-idempotency-catalog: node_modules/aws-sdk (with apis/metadata.json) not found; install the dev dependencies (npm ci) first',
    );
    return 2;
  }

  const { catalog, fallbacks } = buildCatalog(sdkDir);
  const text = stableStringify(catalog);
  const shown = displayPath(options.file);
  const regenerate = options.file === DEFAULT_OUTPUT ? SCRIPT : `${SCRIPT} --file ${shown}`;

  if (options.check) {
    const current = existsSync(options.file) ? readFileSync(options.file) : undefined;
    if (current === undefined || !current.equals(Buffer.from(text, 'utf8'))) {
      const state = current === undefined ? 'is missing' : 'is out of date';
      console.error(`${shown} ${state}; regenerate it with: ${regenerate}`);
      return 1;
    }
    return 0;
  }

  mkdirSync(path.dirname(options.file), { recursive: true });
  writeFileSync(options.file, text);
  const serviceCount = Object.keys(catalog.services).length;
  console.log(`wrote ${shown}: ${catalog.operationCount} operations in ${serviceCount} services`);
  for (const f of fallbacks) console.log(`  note: ${f.v2} → client-${f.suffix} (${f.reason})`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
