/**
 * CDK app files whose construct classes another file of the app instantiates. A file that runs a
 * construct class of another file (`new Api(this, 'Api', { handler })`, with `Api` imported
 * from `./api`) has that class's constructs in its own template, made with the props it passes
 * and located in the class's file. The class's own file, read alone, ran the class once with
 * unknown props: those constructs are the same ones, known less well, and would report the same
 * mistakes a second time at the same place. They are left out: each construct of a template that
 * a template running classes of its file also makes at the same place (same call, same type) is
 * read from there — through chains too: when A runs a class of B that runs a class of C, C's
 * constructs are read from A's template, not from B's nor C's own.
 * The same holds for what a class makes through the CDK construct it extends (`class NightlyTask
 * extends ScheduledFargateTask`): located where each instance is made, in the importer's file, it
 * is read from there, and the class's own file drops what its run with unknown props made.
 * The rest of the class's file (other classes, constructs no importer reaches) stays.
 */
import { createTemplate, templateSource } from '../iac/loaders/cloudformation.js';
import { isPlainObject, type PlainObject, type Template } from '../iac/model.js';
import { setOwn, type SourceNode } from '../iac/document.js';
import { BASE_OF, ROOT_BASE_OF } from '../cdk/metadata-keys.js';

/** Source node of each resource of a template built over a position tree. */
function resourceNodes(template: Template): Map<string, SourceNode> | undefined {
  return templateSource(template)?.entries?.get('Resources')?.entries;
}

/** Replaces, in place, the CDK source templates whose constructs other templates make (see above). */
export function dropImportedConstructs(templates: Template[]): void {
  // `file:start:type` of every construct an importing template makes → the files of those templates
  // (a class run through a chain of files, A → B → C, is made by A and by B: A's is the fullest)
  const madeBy = new Map<string, Set<string>>();
  const importers = new Map<string, Template>();
  // classes of other files each importing template makes instances of through the construct they extend
  const bases = new Map<string, Set<string>>();
  for (const template of templates) {
    if (template.format !== 'cdk-source' || !template.otherTexts) continue;
    const nodes = resourceNodes(template);
    if (!nodes) continue;
    importers.set(template.file, template);
    for (const [id, resource] of template.resources) {
      const base = resource.metadata?.[BASE_OF];
      if (typeof base === 'string') {
        let by = bases.get(base);
        if (!by) bases.set(base, (by = new Set()));
        by.add(template.file);
      }
      const node = nodes.get(id);
      if (!node) continue;
      const place = `${node.file ?? template.file}\u0000${node.start}\u0000${resource.type}`;
      let by = madeBy.get(place);
      if (!by) madeBy.set(place, (by = new Set()));
      by.add(template.file);
    }
  }
  if (importers.size === 0) return;
  /** Whether a template other than `template` that runs classes of its file makes the construct at `place`. */
  const madeAbove = (template: Template, place: string): boolean => {
    for (const file of madeBy.get(place) ?? []) {
      if (file !== template.file && importers.get(file)!.otherTexts!.has(template.file)) return true;
    }
    return false;
  };
  /** Whether a template other than `template` that runs classes of its file makes instances of the class `base`. */
  const extendedAbove = (template: Template, base: unknown): boolean => {
    if (typeof base !== 'string') return false;
    for (const file of bases.get(base) ?? []) {
      if (file !== template.file && importers.get(file)!.otherTexts!.has(template.file)) return true;
    }
    return false;
  };
  for (let i = templates.length - 1; i >= 0; i--) {
    const template = templates[i]!;
    const nodes = template.format === 'cdk-source' ? resourceNodes(template) : undefined;
    if (!nodes) continue;
    const dropped = new Set<string>();
    for (const [id, resource] of template.resources) {
      const node = nodes.get(id);
      if (node && madeAbove(template, `${node.file ?? template.file}\u0000${node.start}\u0000${resource.type}`)) dropped.add(id);
      else if (extendedAbove(template, resource.metadata?.[ROOT_BASE_OF])) dropped.add(id);
    }
    if (dropped.size === 0) continue;
    const source = templateSource(template)!;
    if (dropped.size === template.resources.size && !Object.hasOwn(template.root, 'Parameters')) {
      templates.splice(i, 1);
      continue;
    }
    const declared = template.root['Resources'];
    if (!isPlainObject(declared)) continue;
    const kept: PlainObject = {};
    const keptNodes = new Map<string, SourceNode>();
    for (const id of Object.keys(declared)) {
      if (dropped.has(id)) continue;
      setOwn(kept, id, declared[id]!);
      const node = nodes.get(id);
      if (node) keptNodes.set(id, node);
    }
    const root: PlainObject = {};
    for (const key of Object.keys(template.root)) setOwn(root, key, key === 'Resources' ? kept : template.root[key]!);
    const entries = new Map(source.entries);
    entries.set('Resources', { ...source.entries!.get('Resources')!, entries: keptNodes });
    templates[i] = createTemplate(template.file, template.text, root, { ...source, entries }, template.format, template.otherTexts);
  }
}
