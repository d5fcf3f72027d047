/**
 * A CDK app scanned together with its `cdk.out`: the same constructs appear twice, once read
 * from the TypeScript source (format `cdk-source`) and once synthesized (format `cdk`). Each
 * synthesized resource is matched to the construct it comes from by construct path (its
 * `aws:cdk:path` metadata, `Stack/Ingest/Queue/Resource`, against the source's construct paths,
 * `Ingest/Queue`), so that each mistake is reported once, at the source construct:
 *
 * - a source file with a synthesized twin is covered: the rules and the project model read the
 *   synthesized template (complete values: props from other files, context, defaults the CDK
 *   fills in) and not the source, so no schedule collides with its own copy and no handler is
 *   linked twice;
 * - a finding on a synthesized resource is placed at its source construct (the property when the
 *   source has it, else the construct call); a resource a construct adds on its own (an event
 *   source mapping, a permission) is matched to the source's resource of the same type under the
 *   same construct, else placed at that construct.
 */
import type { PathSegment, Resource, Template } from '../iac/model.js';

/** Where a synthesized resource's findings go. */
export interface Twin {
  template: Template;
  id: string;
  /** The source defines this very resource (not only the construct that adds it). */
  exact: boolean;
}

const CDK_PATH = 'aws:cdk:path';

/** Construct path segments of a resource, without the `Resource`/`Default` child a synth adds. */
function pathOf(resource: Resource): string[] | undefined {
  const p = resource.metadata?.[CDK_PATH];
  if (typeof p !== 'string' || p === '') return undefined;
  const segments = p.split('/');
  const last = segments[segments.length - 1];
  if (last === 'Resource' || last === 'Default') segments.pop();
  return segments;
}

export class CdkTwins {
  /** Source templates with at least one synthesized twin. */
  readonly covered = new Set<Template>();
  private readonly twins = new Map<Template, Map<string, Twin>>();

  constructor(templates: readonly Template[]) {
    const sources = templates.filter((t) => t.format === 'cdk-source');
    const synths = templates.filter((t) => t.format === 'cdk');
    if (sources.length === 0 || synths.length === 0) return;
    // source resources by construct path (relative to the class the file runs as its root)
    const byPath = new Map<string, { template: Template; resource: Resource }[]>();
    for (const template of sources) {
      for (const resource of template.resources.values()) {
        const p = pathOf(resource);
        if (!p) continue;
        const key = p.join('/');
        const list = byPath.get(key) ?? [];
        list.push({ template, resource });
        byPath.set(key, list);
      }
    }
    /** The source construct at the longest suffix of a synthesized path (below the stack), when unique. */
    const find = (segments: string[], type?: string): { template: Template; resource: Resource } | undefined => {
      for (let k = 1; k < segments.length; k++) {
        const found = (byPath.get(segments.slice(k).join('/')) ?? []).filter((x) => type === undefined || x.resource.type === type);
        if (found.length === 1) return found[0];
        if (found.length > 1) return undefined;
      }
      return undefined;
    };
    for (const synth of synths) {
      const own = new Map<string, Twin>();
      const unmatched: [Resource, string[]][] = [];
      const taken = new Set<Resource>();
      for (const resource of synth.resources.values()) {
        const segments = pathOf(resource);
        if (!segments) continue;
        const found = find(segments, resource.type);
        if (!found) {
          unmatched.push([resource, segments]);
          continue;
        }
        own.set(resource.id, { template: found.template, id: found.resource.id, exact: true });
        taken.add(found.resource);
        this.covered.add(found.template);
      }
      // resources a construct adds: the source's one of the same type under the same construct, else the construct
      for (const [resource, segments] of unmatched) {
        for (let end = segments.length - 1; end > 1; end--) {
          const parent = find(segments.slice(0, end));
          if (!parent) continue;
          const prefix = `${pathOf(parent.resource)!.join('/')}/`;
          const children = [...parent.template.resources.values()].filter(
            (r) => r.type === resource.type && !taken.has(r) && pathOf(r)?.join('/').startsWith(prefix) && pathOf(r)!.length === pathOf(parent.resource)!.length + segments.length - end,
          );
          if (children.length === 1) {
            own.set(resource.id, { template: parent.template, id: children[0]!.id, exact: true });
            taken.add(children[0]!);
          } else own.set(resource.id, { template: parent.template, id: parent.resource.id, exact: false });
          break;
        }
      }
      if (own.size > 0) this.twins.set(synth, own);
    }
  }

  /** The templates rules and the project model read: every one but the covered sources. */
  visible(templates: readonly Template[]): Template[] {
    return this.covered.size === 0 ? [...templates] : templates.filter((t) => !this.covered.has(t));
  }

  /** The source construct of a synthesized resource. */
  twinOf(template: Template, id: string): Twin | undefined {
    return this.twins.get(template)?.get(id);
  }

  /**
   * Where a location in a synthesized template is shown: the same path under the source twin
   * (whose `locate` falls back to the construct call for what the source does not write), or the
   * construct that adds the resource. `key` tells apart findings that land on the same place
   * from different synthesized resources (two stacks of one construct share it).
   */
  place(template: Template, path: readonly PathSegment[]): { template: Template; path: PathSegment[]; key: string } | undefined {
    if (path[0] !== 'Resources' || typeof path[1] !== 'string') return undefined;
    const twin = this.twinOf(template, path[1]);
    if (!twin) return undefined;
    const rest = path.slice(2);
    if (twin.exact) return { template: twin.template, path: ['Resources', twin.id, ...rest], key: rest.join('.') };
    const resource = template.resources.get(path[1]);
    const relative = resource ? (pathOf(resource)?.slice(1).join('/') ?? path[1]) : path[1];
    return { template: twin.template, path: ['Resources', twin.id], key: `${relative}:${rest.join('.')}` };
  }
}
