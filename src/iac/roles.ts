/**
 * Roles of templates and of the resources in them (see `FileRole`).
 *
 * - A template under `.aws-sam/` or `.serverless/` is a copy those tools wrote: `generated`.
 * - A template that Amazon.Lambda.Annotations manages (its `Description` or a resource's
 *   `Metadata.Tool` says so) is `generated` when another template of the scan deploys its folder
 *   (a `CodeUri` of a function there points at it or above it): the parent is the one deployed.
 * - A packaged template (what `sam package` or `aws cloudformation package` writes: every
 *   function's code is an S3 object named by its content hash, `CodeUri: s3://bucket/<md5>`) is
 *   `generated` when a template of the scan that is not packaged sits in the same folder: that
 *   one is the source the copy was made from.
 * - A template under a test folder (`test/`, `tests/`, `integration-test/`, ...) is a test stack.
 * - Inside a service template, a function whose code lives in a test folder (`CodeUri:
 *   tests/integration/`, `handler: tests/listener.handler`) is a test harness, and so are the event
 *   source mappings, invoke configurations and permissions of such a function: their findings
 *   are `test`. Everything else in a service template is service infrastructure, whatever
 *   condition guards it (a stack deploys what its parameter defaults say).
 */
import path from 'node:path';
import type { FileRole } from '../ground/types.js';
import { isTestCodePath, templatePathRole } from '../ground/roles.js';
import type { PathSegment, Resource, Template } from './model.js';
import { FUNCTION_TYPES, functionRef } from './lambda.js';
import { getIn } from './resources.js';

const ANNOTATIONS = 'Amazon.Lambda.Annotations';

function managedByAnnotations(template: Template): boolean {
  if (!template.text.includes(ANNOTATIONS)) return false;
  const description = template.root['Description'];
  if (typeof description === 'string' && description.includes(ANNOTATIONS)) return true;
  for (const r of template.resources.values()) if (getIn(r.metadata, ['Tool']) === ANNOTATIONS) return true;
  return false;
}

/** Folders the functions of a template deploy code from (literal `CodeUri` strings, absolute). */
function codeFolders(template: Template): string[] {
  const dir = path.dirname(template.file);
  const out: string[] = [];
  for (const r of template.resources.values()) {
    const uri = r.properties['CodeUri'];
    if (typeof uri === 'string' && !/^s3:\/\//.test(uri)) out.push(path.resolve(dir, uri));
  }
  return out;
}

const isFunction = (r: Resource): boolean => (FUNCTION_TYPES as readonly string[]).includes(r.type);

const inside = (folder: string, dir: string): boolean => dir === folder || dir.startsWith(folder + path.sep);

/** An S3 object key as the package commands write it: the MD5 of the uploaded content. */
const PACKAGED_KEY = /(?:^|\/)[0-9a-f]{32}$/;

/** Every function of the template deploys code uploaded by a package command (at least one function). */
function packaged(template: Template): boolean {
  let functions = 0;
  for (const r of template.resources.values()) {
    if (!isFunction(r)) continue;
    functions++;
    const uri = r.properties['CodeUri'];
    const key = typeof uri === 'string' ? (/^s3:\/\/[^/]+\/(.+)$/.exec(uri)?.[1] ?? '') : getIn(r.properties, ['Code', 'S3Key']) ?? getIn(uri, ['Key']);
    if (typeof key !== 'string' || !PACKAGED_KEY.test(key)) return false;
  }
  return functions > 0;
}

/** The role of every template of a scan. `relative` gives a template's path relative to the scan's directory. */
export function templateRoles(templates: readonly Template[], relative: (file: string) => string): Map<Template, FileRole> {
  const roles = new Map<Template, FileRole>();
  let folders: string[] | undefined;
  for (const template of templates) {
    let role = templatePathRole(relative(template.file));
    if (role === 'service' && managedByAnnotations(template)) {
      folders ??= templates.flatMap((t) => (managedByAnnotations(t) ? [] : codeFolders(t)));
      const dir = path.dirname(template.file);
      if (folders.some((f) => inside(f, dir))) role = 'generated';
    }
    roles.set(template, role);
  }
  // packaged copies next to their source template
  const isPackaged = new Map(templates.map((t) => [t, roles.get(t) === 'service' && t.format !== 'terraform' && packaged(t)]));
  const sources = new Set(templates.filter((t) => !isPackaged.get(t) && roles.get(t) !== 'generated').map((t) => path.dirname(t.file)));
  for (const template of templates) if (isPackaged.get(template) && sources.has(path.dirname(template.file))) roles.set(template, 'generated');
  return roles;
}

/** The code location a function deploys, relative to the scan's directory: its code folder and handler module. */
function codePath(template: Template, fn: Resource, relative: (file: string) => string): string | undefined {
  const uri = fn.properties['CodeUri'];
  const handler = fn.properties['Handler'];
  if (typeof uri !== 'string' && typeof handler !== 'string') return undefined;
  const dir = path.dirname(template.file);
  const folder = typeof uri === 'string' && !/^s3:\/\//.test(uri) ? path.resolve(dir, uri) : dir;
  // `tests/listener.handler`: the module path of a Node.js or Python handler (not a .NET or Java one)
  const module = typeof handler === 'string' && !handler.includes('::') && handler.includes('/') ? handler.slice(0, handler.lastIndexOf('.')) : '';
  return relative(path.join(folder, module));
}

/** Resources of a service template whose findings are about a test harness (see the module comment). */
export function testHarnessResources(template: Template, relative: (file: string) => string): Set<Resource> {
  const harness = new Set<Resource>();
  for (const r of template.resources.values()) {
    if (!isFunction(r)) continue;
    const code = codePath(template, r, relative);
    if (code !== undefined && isTestCodePath(code)) harness.add(r);
  }
  if (harness.size === 0) return harness;
  const ids = new Set([...harness].map((r) => r.id));
  for (const r of template.resources.values()) {
    if (isFunction(r) || !r.properties['FunctionName']) continue;
    const target = functionRef(template, r.properties['FunctionName']);
    if (target !== undefined && ids.has(target)) harness.add(r);
  }
  return harness;
}

/** The resource a logical path is in, if any. */
export function resourceAt(template: Template, at: readonly PathSegment[]): Resource | undefined {
  for (const r of template.resources.values()) {
    if (r.path.length <= at.length && r.path.every((segment, i) => segment === at[i])) return r;
  }
  return undefined;
}
