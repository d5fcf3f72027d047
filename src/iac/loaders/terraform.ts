/**
 * Terraform (HCL2) loader: each `.tf` file becomes one template of `aws_*` resources mapped to
 * CloudFormation types and property names, with a source position for every logical path.
 * Expressions are evaluated by `terraform-values.ts`, resource bodies mapped by
 * `terraform-resources.ts`; this module assembles a file's resources and links the files of a module.
 *
 * - Logical ids are `<type>.<name>` (`aws_sqs_queue.dlq`). A resource with `count`/`for_each` is
 *   one resource.
 * - `aws_sqs_queue_redrive_policy` / `aws_sqs_queue_redrive_allow_policy` are folded into the
 *   queue they name in the same file (`RedrivePolicy` / `RedriveAllowPolicy` located at the
 *   folding resource); when the queue is not in the file they stay as resources of type
 *   `Terraform::<type>` with `QueueUrl` and the policy, and `linkTerraformModules` sets the
 *   policy on the queue when it is declared in another file of the same directory.
 * - Each file is one template; references to resources of other files of the module are
 *   references to resources the template does not have (unknown values for `refTarget`).
 * - `aws_cloudwatch_event_target` blocks are folded into their rule's `Targets` (in source
 *   order, each target located at its own block); a target whose rule is not in the file becomes
 *   an `AWS::Events::Rule` resource with the target's logical id and only `Targets`.
 * - Unmapped `aws_*` resources are kept as `Terraform::<type>` resources without properties, so
 *   references to them are references (not unknown values).
 * - Defaults are not filled in: an absent attribute is an absent property (Terraform's defaults
 *   for these resources are CloudFormation's), except `reserved_concurrent_executions = -1`
 *   (Terraform's "no reservation"), which is dropped.
 */
import { Intrinsic, type IacValue, type ParseProblem, type PlainObject, type Resource, type Template } from '../model.js';
import { MAX_TERRAFORM_VALUES } from '../../ground/limits.js';
import { tooManyValues, type SourceNode } from '../document.js';
import { hclReady, namedChildren, withHclTree, type HclNode } from '../hcl.js';
import type { LoadTemplateResult } from './cloudformation.js';
import { Props, assembleTemplate, setOwn, type Built } from './synthesized.js';
import { TYPES, convertBody } from './terraform-resources.js';
import { Converter, labelText, src } from './terraform-values.js';
import { moduleOutput, moduleResources, registryModule } from './terraform-registry.js';

interface TfResource {
  tfType: string;
  id: string;
  type: string;
  block: SourceNode;
  typeLabel: SourceNode;
  props: Props;
  metadata?: PlainObject;
}

/** The queue (in this file) a `queue_url` value names. */
function queueId(value: IacValue | undefined, resources: Map<string, TfResource>): string | undefined {
  if (!(value instanceof Intrinsic)) return undefined;
  const id = value.name === 'Ref' ? value.argument : Array.isArray(value.argument) ? value.argument[0] : undefined;
  if (typeof id !== 'string') return undefined;
  return resources.get(id)?.type === 'AWS::SQS::Queue' ? id : undefined;
}

/** The rule (in this file) an event target's `rule` names. */
function ruleId(value: IacValue | undefined, resources: Map<string, TfResource>): string | undefined {
  if (!(value instanceof Intrinsic)) return undefined;
  const id = value.name === 'Ref' ? value.argument : Array.isArray(value.argument) ? value.argument[0] : undefined;
  if (typeof id !== 'string') return undefined;
  const target = resources.get(id);
  return target?.tfType === 'aws_cloudwatch_event_rule' ? id : undefined;
}

/** Loads a Terraform file. Needs `initHcl()` to have completed. Never throws for bad input. */
export function loadTerraform(file: string, text: string): LoadTemplateResult {
  if (!hclReady()) return { problems: [{ message: 'the HCL parser is not initialised', offset: 0 }] };
  const tooMany = tooManyValues(text, MAX_TERRAFORM_VALUES, 'the Terraform file');
  if (tooMany) return { problems: [tooMany] };
  return withHclTree(text, (root, error) => {
    const problems: ParseProblem[] = error ? [error] : [];
    const converter = new Converter(text);
    const resources = new Map<string, TfResource>();
    const body = namedChildren(root).find((c) => c.type === 'body');
    const declarations: TerraformDeclarations = { variables: new Map(), modules: [] };
    const blocks = (body ? namedChildren(body) : []).filter((b) => b.type === 'block');
    // registry modules first: their outputs are references wherever the file uses them
    const registry: { kind: NonNullable<ReturnType<typeof registryModule>>; name: string; block: HclNode; label: HclNode }[] = [];
    for (const block of blocks) {
      const kids = namedChildren(block);
      const label = kids[1];
      if (kids[0]?.text !== 'module' || !label || (label.type !== 'string_lit' && label.type !== 'identifier')) continue;
      const kind = registryModule(moduleSource(kids));
      if (!kind) continue;
      const name = labelText(label);
      registry.push({ kind, name, block, label });
      converter.modules.set(name, (output) => moduleOutput(kind, name, output));
    }
    for (const { kind, name, block, label } of registry) {
      const node: SourceNode = { ...src(block), keyStart: block.startIndex, keyEnd: label.endIndex };
      for (const r of moduleResources(kind, name, converter, namedChildren(block).find((c) => c.type === 'body')!, node)) {
        if (!resources.has(r.id)) resources.set(r.id, { tfType: `module:${kind}`, id: r.id, type: r.type, block: r.node, typeLabel: node, props: r.props, metadata: r.metadata });
      }
    }
    // locals and rendered templates: a state machine's definition may be read from a file through them
    for (const block of blocks) {
      const kids = namedChildren(block);
      const labels = kids.filter((c) => c.type === 'string_lit' || (c.type === 'identifier' && c !== kids[0]));
      const isLocals = kids[0]?.text === 'locals';
      const isTemplateFile = kids[0]?.text === 'data' && labels.length === 2 && labelText(labels[0]!) === 'template_file';
      if (!isLocals && !isTemplateFile) continue;
      const entry: { template?: HclNode; vars?: HclNode } = {};
      for (const item of namedChildren(kids.find((c) => c.type === 'body') ?? block)) {
        const parts = namedChildren(item);
        const expression = parts.find((c) => c.type === 'expression');
        if (item.type !== 'attribute' || parts[0]?.type !== 'identifier' || !expression) continue;
        if (isLocals && !converter.locals.has(parts[0].text)) converter.locals.set(parts[0].text, expression);
        else if (parts[0].text === 'template' || parts[0].text === 'vars') entry[parts[0].text] = expression;
      }
      if (isTemplateFile && !converter.templateFiles.has(labelText(labels[1]!))) converter.templateFiles.set(labelText(labels[1]!), entry);
    }
    for (const block of blocks) {
      const kids = namedChildren(block);
      if (kids[0]?.text === 'variable' || kids[0]?.text === 'module') {
        declare(converter, kids, declarations);
        continue;
      }
      if (kids[0]?.text !== 'resource') continue;
      const labels = kids.filter((c) => c.type === 'string_lit' || (c.type === 'identifier' && c !== kids[0]));
      if (labels.length < 2) continue;
      const tfType = labelText(labels[0]!);
      const name = labelText(labels[1]!);
      if (!tfType.startsWith('aws_')) continue;
      const id = `${tfType}.${name}`;
      if (resources.has(id)) continue;
      const known = TYPES[tfType];
      const props = new Props();
      if (known) convertBody(converter, kids.find((c) => c.type === 'body'), known.spec, props, 0);
      resources.set(id, {
        tfType,
        id,
        type: known?.type ?? `Terraform::${tfType}`,
        block: { ...src(block), keyStart: block.startIndex, keyEnd: labels[1]!.endIndex },
        typeLabel: src(labels[0]!),
        props,
      });
    }
    fixUp(resources);
    const template = assemble(file, text, resources);
    DECLARATIONS.set(template.root, declarations);
    return { template, problems };
  });
}

/** The `source` of a module block, when it is a literal string. */
function moduleSource(kids: HclNode[]): string | undefined {
  const body = kids.find((c) => c.type === 'body');
  for (const item of body ? namedChildren(body) : []) {
    const parts = namedChildren(item);
    if (item.type !== 'attribute' || parts[0]?.text !== 'source') continue;
    const expression = parts.find((c) => c.type === 'expression');
    const literal = expression && namedChildren(expression)[0];
    const string = literal?.type === 'literal_value' ? namedChildren(literal)[0] : undefined;
    return string?.type === 'string_lit' ? labelText(string) : undefined;
  }
  return undefined;
}

/** What a file declares besides resources: its variables' defaults and the modules it calls. */
export interface TerraformDeclarations {
  /** Variable name → its `default` (undefined: no default, or one that is not a literal). */
  variables: Map<string, IacValue | undefined>;
  /** `module` blocks: their `source` and the inputs they pass. */
  modules: { source: string | undefined; inputs: Map<string, IacValue> }[];
}

const DECLARATIONS = new WeakMap<object, TerraformDeclarations>();

/** The declarations of a Terraform file's template. */
export function terraformDeclarations(template: Template): TerraformDeclarations | undefined {
  return DECLARATIONS.get(template.root);
}

function declare(converter: Converter, kids: HclNode[], out: TerraformDeclarations): void {
  const label = kids.find((c) => c.type === 'string_lit' || (c.type === 'identifier' && c !== kids[0]));
  const body = kids.find((c) => c.type === 'body');
  if (!label || !body) return;
  const attributes = new Map<string, IacValue>();
  for (const item of namedChildren(body)) {
    if (item.type !== 'attribute') continue;
    const parts = namedChildren(item);
    const expression = parts.find((c) => c.type === 'expression');
    if (parts[0]?.type === 'identifier' && expression) attributes.set(parts[0].text, converter.expression(expression).value);
  }
  if (kids[0]!.text === 'variable') {
    const fallback = attributes.get('default');
    out.variables.set(labelText(label), fallback);
  } else {
    const source = attributes.get('source');
    attributes.delete('source');
    out.modules.push({ source: typeof source === 'string' ? source : undefined, inputs: attributes });
  }
}

function fixUp(resources: Map<string, TfResource>): void {
  for (const resource of resources.values()) {
    const p = resource.props;
    if (resource.tfType === 'aws_lambda_function') {
      const reserved = p.value['ReservedConcurrentExecutions'];
      if (reserved === -1) p.delete('ReservedConcurrentExecutions');
    } else if (resource.tfType === 'aws_sqs_queue') {
      for (const name of ['RedrivePolicy', 'RedriveAllowPolicy']) if (p.value[name] === '') p.delete(name);
    } else if (resource.tfType === 'aws_cloudwatch_event_rule') {
      const state = p.value['State'];
      if (typeof state === 'boolean') p.set('State', { value: state ? 'ENABLED' : 'DISABLED', source: p.entries.get('State')! });
    }
  }
  for (const resource of [...resources.values()]) {
    const p = resource.props;
    if (resource.tfType === 'aws_sqs_queue_redrive_policy' || resource.tfType === 'aws_sqs_queue_redrive_allow_policy') {
      const property = resource.tfType === 'aws_sqs_queue_redrive_policy' ? 'RedrivePolicy' : 'RedriveAllowPolicy';
      const queue = resources.get(queueId(p.value['QueueUrl'], resources) ?? '');
      if (!queue || !Object.hasOwn(p.value, property) || Object.hasOwn(queue.props.value, property)) continue;
      queue.props.set(property, { value: p.value[property]!, source: p.entries.get(property)! });
      resources.delete(resource.id);
    } else if (resource.tfType === 'aws_cloudwatch_event_target') {
      const target = new Props();
      for (const [key, value] of Object.entries(p.value)) {
        if (key !== 'Rule' && key !== 'EventBusName') target.set(key, { value, source: p.entries.get(key)! });
      }
      const item: Built = { value: target.value, source: { ...resource.block, entries: target.entries } };
      const rule = resources.get(ruleId(p.value['Rule'], resources) ?? '');
      const owner = rule ?? resource;
      if (rule) resources.delete(resource.id);
      else {
        for (const key of Object.keys(p.value)) if (key !== 'EventBusName') p.delete(key);
      }
      const existing = owner.props.value['Targets'];
      if (Array.isArray(existing)) {
        existing.push(item.value);
        owner.props.entries.get('Targets')!.items!.push(item.source);
      } else {
        owner.props.set('Targets', { value: [item.value], source: { ...item.source, keyStart: -1, keyEnd: -1, synthetic: true, entries: undefined, items: [item.source] } });
      }
    }
  }
}

function assemble(file: string, text: string, resources: Map<string, TfResource>) {
  return assembleTemplate(
    file,
    text,
    [...resources.values()].map((r) => ({ id: r.id, type: r.type, props: r.props, node: r.block, typeNode: r.typeLabel, metadata: r.metadata })),
    'terraform',
  );
}

const FOLDED_POLICIES: Record<string, string> = {
  'Terraform::aws_sqs_queue_redrive_policy': 'RedrivePolicy',
  'Terraform::aws_sqs_queue_redrive_allow_policy': 'RedriveAllowPolicy',
};

/**
 * Links the Terraform files of one module (directory): a redrive (allow) policy resource whose
 * queue is declared in another file of the module sets the queue's `RedrivePolicy` /
 * `RedriveAllowPolicy` there (located at the queue, since the text is in the other file).
 */
export function linkTerraformModules(templates: readonly Template[]): void {
  const modules = new Map<string, Template[]>();
  for (const template of templates) {
    if (template.format !== 'terraform') continue;
    const dir = template.file.slice(0, Math.max(template.file.lastIndexOf('/'), template.file.lastIndexOf('\\')) + 1);
    const list = modules.get(dir);
    if (list) list.push(template);
    else modules.set(dir, [template]);
  }
  for (const module of modules.values()) {
    if (module.length < 2) continue;
    const queues = new Map<string, Resource>();
    for (const template of module) for (const r of template.resources.values()) if (r.type === 'AWS::SQS::Queue') queues.set(r.id, r);
    for (const template of module) {
      for (const r of template.resources.values()) {
        const property = FOLDED_POLICIES[r.type];
        const url = r.properties['QueueUrl'];
        if (!property || !(url instanceof Intrinsic) || !Object.hasOwn(r.properties, property)) continue;
        const id = url.name === 'Ref' ? url.argument : Array.isArray(url.argument) ? url.argument[0] : undefined;
        const queue = typeof id === 'string' ? queues.get(id) : undefined;
        if (queue && !Object.hasOwn(queue.properties, property)) setOwn(queue.properties, property, r.properties[property]!);
      }
    }
  }
}
