/**
 * The resources a CDK source file defines, as they are built (CloudFormation type names and
 * property shapes, each value with the source range it comes from), and the `Template` they end
 * up in. Logical ids are the construct ids, made unique over the file at the end.
 */
import { ts } from '../code/ts.js';
import { createTemplate } from '../iac/loaders/cloudformation.js';
import { Intrinsic, Unknown, type IacValue, type PlainObject, type Template } from '../iac/model.js';
import { setOwn, type SourceNode } from '../iac/document.js';

/** The metadata key a synth writes each resource's construct path under. */
export const CDK_PATH = 'aws:cdk:path';

/**
 * The metadata key of the name of the function or method that creates a construct and returns it
 * (`createDeadLetterQueue(scope, id)`): what its callers get the construct for.
 */
export const FACTORY = 'rel4lint:factory';

/** A value with the source node it is located at. */
export interface Built {
  value: IacValue;
  source: SourceNode;
}

/** A `Built` that converters return to give a value its own location. */
export class Located implements Built {
  constructor(
    readonly value: IacValue,
    readonly source: SourceNode,
  ) {}
}

/** Source node of a TypeScript node; `key` gives the range a missing child points at. */
export function sourceOf(sf: ts.SourceFile, node: ts.Node, key?: ts.Node): SourceNode {
  const start = node.getStart(sf);
  return {
    start,
    end: node.getEnd(),
    keyStart: key ? key.getStart(sf) : -1,
    keyEnd: key ? key.getEnd() : -1,
  };
}

/**
 * Source node of a construct call or method call: the whole call, with `new sqs.Queue` (or
 * `fn.addEventSource`) as the range a missing property points at.
 */
export function callSource(sf: ts.SourceFile, node: ts.Node, head: ts.Node): SourceNode {
  const start = node.getStart(sf);
  return { start, end: node.getEnd(), keyStart: start, keyEnd: head.getEnd() };
}

/** A mapping under construction, with the source node of each key. */
export class Mapping {
  readonly value: PlainObject = {};
  readonly entries = new Map<string, SourceNode>();

  set(name: string, built: Built | undefined): void {
    if (!built) return;
    setOwn(this.value, name, built.value);
    this.entries.set(name, built.source);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.value, name);
  }

  /** As a built value located at `source` (whose children become this mapping's entries). */
  built(source: SourceNode): Located {
    return new Located(this.value, { ...source, entries: this.entries, items: undefined });
  }
}

/** A list under construction (`Targets` that grow with `addTarget`). */
export class List {
  readonly value: IacValue[] = [];
  readonly items: SourceNode[] = [];
  push(built: Built): void {
    this.value.push(built.value);
    this.items.push(built.source);
  }
}

export interface Res {
  /** Construct path: scope ids, then the construct id. */
  path: string[];
  type: string;
  props: Mapping;
  /**
   * `Metadata`: `aws:cdk:path` (the construct path, as a synth writes it without the stack),
   * `rel4lint:handler` (where a function's handler code is), and what `addMetadata` adds.
   */
  metadata: Mapping;
  /** Properties that cannot be known at all (props given as an unknown value). */
  opaque?: boolean;
  source: SourceNode;
  /** A resource a construct adds on its own (an event source mapping, a permission): named by its full path. */
  child?: boolean;
  /** Set by `assignIds`. */
  id?: string;
  /** Order of creation, for a stable tie-break. */
  order: number;
  /** The template condition it is created under (`cfnOptions.condition`). */
  condition?: string;
}

/** The resources of one file, and the references between them (patched once ids are known). */
export class Resources {
  readonly list: Res[] = [];
  private readonly refs: { intrinsic: Intrinsic; res: Res }[] = [];
  /** Template parameters (`CfnParameter`) by logical id. */
  private readonly parameters = new Map<string, { declared: Mapping; source: SourceNode }>();
  /** Template conditions (`CfnCondition`) by logical id. */
  private readonly conditions = new Map<string, IacValue>();

  /** Other files of the app whose construct classes run here (see `Interpreter`). */
  private readonly others = new Set<ts.SourceFile>();

  constructor(readonly sf: ts.SourceFile) {}

  /** Registers a parsed file of the app (with parent pointers) whose code runs with this file's. */
  addOther(sf: ts.SourceFile): void {
    if (sf !== this.sf) this.others.add(sf);
  }

  /**
   * The file a node belongs to: this one, or another registered file (whose nodes reach their
   * source file through their parents; this file's need no parent pointers).
   */
  fileOf(node: ts.Node): ts.SourceFile {
    if (this.others.size === 0) return this.sf;
    let n = node;
    while (n.parent) n = n.parent;
    return ts.isSourceFile(n) && this.others.has(n) ? n : this.sf;
  }

  /** Source node of a node, in whichever file it is (see `sourceOf`). */
  sourceOf(node: ts.Node, key?: ts.Node): SourceNode {
    const sf = this.fileOf(node);
    const source = sourceOf(sf, node, key);
    if (sf !== this.sf) source.file = sf.fileName;
    return source;
  }

  /** Source node of a construct or method call, in whichever file it is (see `callSource`). */
  callSource(node: ts.Node, head: ts.Node): SourceNode {
    const sf = this.fileOf(node);
    const source = callSource(sf, node, head);
    if (sf !== this.sf) source.file = sf.fileName;
    return source;
  }

  add(path: string[], type: string, source: SourceNode, child = false): Res {
    const res: Res = { path, type, props: new Mapping(), metadata: new Mapping(), source, order: this.list.length, child: child || undefined };
    res.metadata.set(CDK_PATH, { value: path.join('/'), source: { ...source, keyStart: -1, keyEnd: -1, synthetic: true } });
    this.list.push(res);
    return res;
  }

  /** Declares a template parameter; returns its logical id (its construct id, made unique). */
  addParameter(id: string, declared: Mapping, source: SourceNode): string {
    let name = id;
    for (let n = 2; this.parameters.has(name); n++) name = `${id}#${n}`;
    this.parameters.set(name, { declared, source });
    return name;
  }

  /** Declares a template condition; returns its logical id (its construct id, made unique). */
  addCondition(id: string, expression: IacValue): string {
    let name = id;
    for (let n = 2; this.conditions.has(name); n++) name = `${id}#${n}`;
    this.conditions.set(name, expression);
    return name;
  }

  /** `Ref` to a resource. */
  ref(res: Res): Intrinsic {
    const intrinsic = new Intrinsic('Ref', '');
    this.refs.push({ intrinsic, res });
    return intrinsic;
  }

  /** `Fn::GetAtt [resource, attribute]`. */
  getAtt(res: Res, attribute: string): Intrinsic {
    const intrinsic = new Intrinsic('Fn::GetAtt', ['', attribute]);
    this.refs.push({ intrinsic, res });
    return intrinsic;
  }

  /**
   * Logical ids: the construct id when no other resource of the file has it; otherwise the
   * construct path, and a `#n` suffix in creation order when even that is shared. Resources a
   * construct adds on its own always get their path (`Worker/SqsEventSource:Jobs`).
   */
  assignIds(): void {
    const byId = new Map<string, Res[]>();
    for (const res of this.list) {
      const id = res.child ? res.path.join('/') : (res.path[res.path.length - 1] ?? 'Resource');
      const group = byId.get(id) ?? [];
      group.push(res);
      byId.set(id, group);
    }
    const taken = new Set<string>();
    for (const [id, group] of byId) if (group.length === 1) taken.add(id);
    const byPath = new Map<string, Res[]>();
    for (const [id, group] of byId) {
      if (group.length === 1) {
        group[0]!.id = id;
        continue;
      }
      for (const res of group) {
        const full = res.path.join('/');
        const list = byPath.get(full) ?? [];
        list.push(res);
        byPath.set(full, list);
      }
    }
    for (const [full, group] of byPath) {
      group.forEach((res, k) => {
        let id = group.length === 1 && !taken.has(full) ? full : `${full}#${k + 1}`;
        for (let n = k + 2; taken.has(id); n++) id = `${full}#${n}`;
        taken.add(id);
        res.id = id;
      });
    }
    for (const { intrinsic, res } of this.refs) {
      const mutable = intrinsic as { argument: IacValue };
      if (intrinsic.name === 'Ref') mutable.argument = res.id!;
      else (intrinsic.argument as IacValue[])[0] = res.id!;
    }
  }

  /** The template over every resource (call `assignIds` first). */
  template(file: string, text: string): Template {
    const declared: PlainObject = {};
    const entries = new Map<string, SourceNode>();
    for (const res of this.list) {
      const properties: IacValue = res.opaque ? new Unknown('construct properties that cannot be evaluated statically') : res.props.value;
      setOwn(declared, res.id!, { Type: res.type, Properties: properties, Metadata: res.metadata.value, ...(res.condition !== undefined && this.conditions.has(res.condition) ? { Condition: res.condition } : {}) });
      const node = res.source;
      entries.set(res.id!, {
        ...node,
        entries: new Map([
          ['Type', { start: node.start, end: node.end, keyStart: -1, keyEnd: -1 }],
          ['Properties', { ...node, keyStart: -1, keyEnd: -1, synthetic: true, entries: res.opaque ? new Map() : res.props.entries }],
          ['Metadata', { ...node, keyStart: -1, keyEnd: -1, synthetic: true, entries: res.metadata.entries }],
        ]),
      });
    }
    const source: SourceNode = {
      start: 0,
      end: text.length,
      keyStart: -1,
      keyEnd: -1,
      entries: new Map([['Resources', { start: 0, end: text.length, keyStart: -1, keyEnd: -1, synthetic: true, entries }]]),
    };
    const root: PlainObject = { Resources: declared };
    if (this.parameters.size > 0) {
      const parameters: PlainObject = {};
      const parameterEntries = new Map<string, SourceNode>();
      for (const [name, { declared: props, source: at }] of this.parameters) {
        setOwn(parameters, name, props.value);
        parameterEntries.set(name, { ...at, entries: props.entries });
      }
      root['Parameters'] = parameters;
      source.entries!.set('Parameters', { start: 0, end: text.length, keyStart: -1, keyEnd: -1, synthetic: true, entries: parameterEntries });
    }
    if (this.conditions.size > 0) {
      const conditions: PlainObject = {};
      for (const [name, expression] of this.conditions) setOwn(conditions, name, expression);
      root['Conditions'] = conditions;
    }
    const others = new Map<string, string>();
    for (const sf of this.others) others.set(sf.fileName, sf.text);
    return createTemplate(file, text, root, source, 'cdk-source', others);
  }
}
