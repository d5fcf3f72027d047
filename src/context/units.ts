/**
 * Deployment units: a repository of many independent projects (a samples repository, a monorepo)
 * is many deployments, and what happens in one does not meet what happens in another. A unit is
 * the folder one deployment is made from:
 *
 * - a Serverless Framework service: the folder of its `serverless.yml`;
 * - a CDK app: the folder of its `cdk.json` (synthesized templates under `cdk.out`, and construct
 *   code, belong to it);
 * - a SAM app: the nearest folder with a `samconfig.toml` / `samconfig.yaml` (a template in a
 *   subfolder of the app belongs to it), else the template's folder;
 * - a Terraform root module, a CloudFormation template: their folder;
 * - a nested stack's template: the unit of the parent stack that deploys it;
 * - a standalone state machine definition: the unit whose folder holds it, else its own folder.
 *
 * Templates in the same folder are one unit. Marker files are looked up no higher than the folder
 * that holds every template of the scan.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Template } from '../iac/model.js';
import { nestedStackParent } from '../iac/defaults.js';

export type UnitKind = 'SAM app' | 'Serverless service' | 'CDK app' | 'Terraform module' | 'CloudFormation stack' | 'state machine';

export interface DeploymentUnit {
  /** Stable id: the unit's folder relative to the scan's common folder (`.` for itself). */
  id: string;
  kind: UnitKind;
  /** Absolute folder. */
  root: string;
  /** For reports: "SAM app orders/", "CDK app .". */
  label: string;
}

const SAM_CONFIGS = ['samconfig.toml', 'samconfig.yaml', 'samconfig.yml'];

function commonFolder(files: readonly string[]): string {
  if (files.length === 0) return path.resolve('.');
  let common = path.dirname(path.resolve(files[0]!));
  for (const file of files.slice(1)) {
    const dir = path.dirname(path.resolve(file));
    while (common !== path.dirname(common) && dir !== common && !dir.startsWith(common + path.sep)) common = path.dirname(common);
  }
  return common;
}

const CACHE = new WeakMap<readonly Template[], { count: number; units: Map<Template, DeploymentUnit> }>();

/** The deployment unit of every template of the scan (computed once per template list, again when it grew). */
export function deploymentUnits(templates: readonly Template[]): Map<Template, DeploymentUnit> {
  const cached = CACHE.get(templates);
  if (cached && cached.count === templates.length) return cached.units;
  const top = commonFolder(templates.map((t) => t.file));
  const markers = new Map<string, boolean>();
  const has = (dir: string, names: readonly string[]): boolean => {
    const k = `${dir}\u0000${names.join(',')}`;
    let found = markers.get(k);
    if (found === undefined) {
      found = names.some((n) => existsSync(path.join(dir, n)));
      markers.set(k, found);
    }
    return found;
  };
  /** The nearest folder from `dir` up to the scan's common folder that holds one of `names`. */
  const nearest = (dir: string, names: readonly string[]): string | undefined => {
    for (let d = dir; ; d = path.dirname(d)) {
      if (has(d, names)) return d;
      if (d === top || !d.startsWith(top) || d === path.dirname(d)) return undefined;
    }
  };
  const rootOf = (template: Template): { root: string; kind: UnitKind } => {
    const dir = path.dirname(path.resolve(template.file));
    switch (template.format) {
      case 'serverless':
        return { root: dir, kind: 'Serverless service' };
      case 'terraform':
        return { root: dir, kind: 'Terraform module' };
      case 'cdk':
      case 'cdk-source': {
        const out = dir.split(path.sep).lastIndexOf('cdk.out');
        const from = out >= 0 ? dir.split(path.sep).slice(0, out).join(path.sep) || path.sep : dir;
        return { root: nearest(from, ['cdk.json']) ?? from, kind: 'CDK app' };
      }
      case 'sam':
        return { root: nearest(dir, SAM_CONFIGS) ?? dir, kind: 'SAM app' };
      case 'asl':
        return { root: dir, kind: 'state machine' };
      default:
        return { root: nearest(dir, SAM_CONFIGS) ?? dir, kind: 'CloudFormation stack' };
    }
  };
  const units = new Map<string, DeploymentUnit>();
  const out = new Map<Template, DeploymentUnit>();
  const unitAt = (root: string, kind: UnitKind): DeploymentUnit => {
    let unit = units.get(root);
    if (!unit) {
      const rel = path.relative(top, root).split(path.sep).join('/') || '.';
      unit = { id: rel, kind, root, label: `${kind} ${rel === '.' ? '.' : `${rel}/`}` };
      units.set(root, unit);
    } else if (unit.kind === 'state machine' || (unit.kind === 'CloudFormation stack' && kind !== 'state machine')) {
      // a folder with a SAM template and plain templates is a SAM app
      unit.kind = kind;
      unit.label = `${kind} ${unit.id === '.' ? '.' : `${unit.id}/`}`;
    }
    return unit;
  };
  // templates that deploy on their own first; nested stacks and definition files join them
  const later: Template[] = [];
  for (const template of templates) {
    if (template.format === 'asl' || nestedStackParent(template)) {
      later.push(template);
      continue;
    }
    const { root, kind } = rootOf(template);
    out.set(template, unitAt(root, kind));
  }
  const parentUnit = (template: Template, depth: number): DeploymentUnit | undefined => {
    const parent = nestedStackParent(template);
    if (!parent || depth > 20) return out.get(template);
    return out.get(parent) ?? parentUnit(parent, depth + 1);
  };
  for (const template of later) {
    const viaParent = template.format === 'asl' ? undefined : parentUnit(template, 0);
    if (viaParent) {
      out.set(template, viaParent);
      continue;
    }
    const dir = path.dirname(path.resolve(template.file));
    let holder: DeploymentUnit | undefined;
    for (const unit of units.values()) {
      if ((dir === unit.root || dir.startsWith(unit.root + path.sep)) && (!holder || unit.root.length > holder.root.length)) holder = unit;
    }
    const { root, kind } = rootOf(template);
    out.set(template, holder ?? unitAt(root, kind));
  }
  CACHE.set(templates, { count: templates.length, units: out });
  return out;
}
