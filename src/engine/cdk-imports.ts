/**
 * CDK app files whose construct classes another file of the app instantiates. A file that runs a
 * construct class of another file (`new Api(this, 'Api', { handler })`, with `Api` imported
 * from `./api`) has that class's constructs in its own template, made with the props it passes
 * and located in the class's file. The class's own file, read alone, ran the class once with
 * unknown props: those constructs are the same ones, known less well, and would report the same
 * mistakes a second time at the same place. They are left out: each construct of the class's file
 * that some other template makes at the same place (same call, same type) is read from there.
 * The rest of the class's file (other classes, constructs no importer reaches) stays.
 */
import { createTemplate, templateSource } from '../iac/loaders/cloudformation.js';
import { isPlainObject, type PlainObject, type Template } from '../iac/model.js';
import { setOwn, type SourceNode } from '../iac/document.js';

/** Source node of each resource of a template built over a position tree. */
function resourceNodes(template: Template): Map<string, SourceNode> | undefined {
  return templateSource(template)?.entries?.get('Resources')?.entries;
}

/** Replaces, in place, the CDK source templates whose constructs other templates make (see above). */
export function dropImportedConstructs(templates: Template[]): void {
  // file → `start:type` of every construct made there on behalf of another file
  const made = new Map<string, Set<string>>();
  for (const template of templates) {
    if (template.format !== 'cdk-source' || !template.otherTexts) continue;
    const nodes = resourceNodes(template);
    if (!nodes) continue;
    for (const [id, resource] of template.resources) {
      const node = nodes.get(id);
      if (node?.file === undefined) continue;
      let set = made.get(node.file);
      if (!set) made.set(node.file, (set = new Set()));
      set.add(`${node.start}:${resource.type}`);
    }
  }
  if (made.size === 0) return;
  for (let i = templates.length - 1; i >= 0; i--) {
    const template = templates[i]!;
    const elsewhere = template.format === 'cdk-source' ? made.get(template.file) : undefined;
    const nodes = elsewhere && resourceNodes(template);
    if (!elsewhere || !nodes) continue;
    const dropped = new Set<string>();
    for (const [id, resource] of template.resources) {
      const node = nodes.get(id);
      if (node && node.file === undefined && elsewhere.has(`${node.start}:${resource.type}`)) dropped.add(id);
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
