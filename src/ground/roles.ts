/**
 * File roles by path: the folder and file names that say a file is a test, front-end code, a
 * local script or generated output (see `FileRole`). Paths are relative to the directory the scan
 * runs from, POSIX separators; folders above it (`..`) say nothing. The text and the package of a
 * code file add to this in `../code/file-role.ts`.
 */
import type { FileRole } from './types.js';

/** Build and packaging output folders: what is in them was written by a tool from other sources. */
const GENERATED_DIRS = new Set(['dist', 'build', '.aws-sam', '.serverless', '.esbuild', '.webpack', '.next', '.nuxt', '.svelte-kit', '.vercel', '.netlify', 'coverage']);
/** Template copies written by SAM and the Serverless Framework (`cdk.out` is the CDK app's template, not a copy). */
const GENERATED_TEMPLATE_DIRS = new Set(['.aws-sam', '.serverless']);
const TEST_DIRS = new Set([
  'test',
  'tests',
  '__tests__',
  '__test__',
  '__mocks__',
  'spec',
  'e2e',
  'integration-test',
  'integration-tests',
  'integ-test',
  'integ-tests',
  'test-utils',
  'test-helpers',
  'testutils',
  'test_utils',
  'testing',
]);
/**
 * Folders named for the kind of test they hold (`acceptance-tests`, `contract_tests`, `test-e2e`), for the
 * infrastructure tests deploy (`test-harness`, `test-resources`), or for the stand-ins of other
 * services that only tests call (`yoti-stub`, `sts-mock`).
 */
const TEST_DIR_NAME =
  /^(?:unit|integration|integ|e2e|acceptance|contract|smoke|api|functional|system|component|regression)[-_]tests?$|^tests?[-_](?:unit|integration|integ|e2e|acceptance|contract|smoke|functional|system|component|regression)$|^tests?[-_]?(?:harness|resources|stacks?|infra|support)$|^harness$|.[-_](?:stubs?|mocks?)$/;

function isTestDir(dir: string): boolean {
  return TEST_DIRS.has(dir) || TEST_DIR_NAME.test(dir);
}

const FRONTEND_DIRS = new Set(['frontend', 'front-end', 'public', 'webui', 'web-ui', 'webapp', 'web-app', 'website', 'ui']);
const SCRIPT_DIRS = new Set(['scripts', 'script', 'bin', 'cli']);

/** `x.test.ts`, `x.spec.js`, `x.e2e.ts`, `x.test.functionCode.ts`, CDK `integ.x.ts`. */
const TEST_FILE = /\.(?:test|spec|e2e|e2e-spec)\.|^integ\./i;
/** Test helpers and test-runner configuration by name: `test-utils.ts`, `testHelpers.js`, `handler.test-utils.ts`, `jest.setup.js`. */
const TEST_HELPER_FILE =
  /(?:^|[._-])(?:test|tests|testing|spec)[_-]?(?:utils?|helpers?|setup|support|fixtures?)\.[^.]+$|^(?:setup-?tests?|global-?(?:setup|teardown)|(?:jest|vitest|playwright|cypress|karma|wdio)\.(?:config|setup|conf|preset)(?:\.[^.]+)?)\.[^.]+$/i;
const FRONTEND_FILE = /\.stories\.[^.]+$/i;
const MINIFIED_FILE = /\.(?:min|bundle)\.[cm]?js$/i;

function parts(relativePath: string): { dirs: string[]; base: string } {
  const segments = relativePath.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  const base = segments.pop() ?? '';
  return { dirs: segments.map((s) => s.toLowerCase()), base };
}

/** The role a code file's path gives it, or undefined when the path says nothing (service code, unless its text says otherwise). */
export function codePathRole(relativePath: string): FileRole | undefined {
  const { dirs, base } = parts(relativePath);
  if (MINIFIED_FILE.test(base)) return 'generated';
  let cdkOut = false;
  for (const dir of dirs) {
    if (GENERATED_DIRS.has(dir) || (cdkOut && dir.startsWith('asset.'))) return 'generated';
    cdkOut = dir === 'cdk.out';
  }
  if (TEST_FILE.test(base) || TEST_HELPER_FILE.test(base) || dirs.some(isTestDir)) return 'test';
  if (FRONTEND_FILE.test(base) || dirs.some((d) => FRONTEND_DIRS.has(d))) return 'frontend';
  if (dirs.some((d) => SCRIPT_DIRS.has(d))) return 'script';
  return undefined;
}

/** The role a template's path gives it: a copy under `.aws-sam/` or `.serverless/`, a test stack under a test folder, else service. */
export function templatePathRole(relativePath: string): FileRole {
  const { dirs } = parts(relativePath);
  if (dirs.some((d) => GENERATED_TEMPLATE_DIRS.has(d))) return 'generated';
  if (dirs.some(isTestDir)) return 'test';
  return 'service';
}

/** True when code at this path (a function's code folder or handler module) lives in a test folder. */
export function isTestCodePath(relativePath: string): boolean {
  const { dirs, base } = parts(relativePath);
  return [...dirs, base.toLowerCase()].some(isTestDir);
}

/** Counts of every role, all zero. */
export function emptyRoleCounts(): Record<FileRole, number> {
  return { service: 0, test: 0, frontend: 0, script: 0, generated: 0, infrastructure: 0 };
}

/** The role of the constructs a code file of this role defines: a test's are a test stack, generated output's a copy, any other's the service's. */
export function templateRoleOf(role: FileRole): FileRole {
  return role === 'test' || role === 'generated' ? role : 'service';
}
