/**
 * AWS SAM handled natively, without running the SAM transform.
 *
 * - `Globals` are merged into the matching `AWS::Serverless::*` resources in the model, and the
 *   position tree is merged alongside, so a property that comes from `Globals` locates at its line
 *   in the `Globals` section.
 * - Function `Events` stay where they are in the model
 *   (`Resources.<Fn>.Properties.Events.<Event>`); `samFunctionEvents` lists them, and
 *   `eventSourceMappings` in `resources.ts` turns the stream and queue ones into the same shape
 *   as `AWS::Lambda::EventSourceMapping` resources.
 */
import type { IacValue, PathSegment, Template } from './model.js';
import { isPlainObject, type PlainObject } from './model.js';
import { setOwn, type SourceNode } from './document.js';

export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/** `Globals` section → the resource type it applies to. */
export const SAM_GLOBAL_SECTIONS: ReadonlyMap<string, string> = new Map([
  ['Function', 'AWS::Serverless::Function'],
  ['Api', 'AWS::Serverless::Api'],
  ['HttpApi', 'AWS::Serverless::HttpApi'],
  ['SimpleTable', 'AWS::Serverless::SimpleTable'],
  ['StateMachine', 'AWS::Serverless::StateMachine'],
  ['LayerVersion', 'AWS::Serverless::LayerVersion'],
]);



/** True when a template's `Transform` (a string or a list) includes the SAM transform. */
export function hasSamTransform(transform: IacValue | undefined): boolean {
  if (typeof transform === 'string') return transform === SAM_TRANSFORM;
  if (Array.isArray(transform)) return transform.some((t) => t === SAM_TRANSFORM);
  return false;
}

/**
 * Merges a `Globals` value into a resource value, SAM style: mappings merge key by key (the
 * resource wins on conflicts, recursively), lists concatenate (Globals first), anything else is
 * taken from the resource. Intrinsics are opaque: the resource's value wins.
 */
function mergeValue(
  global: IacValue,
  globalSource: SourceNode | undefined,
  local: IacValue | undefined,
  localSource: SourceNode | undefined,
): [IacValue, SourceNode | undefined] {
  if (local === undefined) return [global, globalSource];
  if (isPlainObject(global) && isPlainObject(local)) {
    const merged: PlainObject = {};
    const entries = new Map<string, SourceNode>();
    for (const key of Object.keys(global)) {
      const [v, s] = mergeValue(global[key]!, globalSource?.entries?.get(key), local[key], localSource?.entries?.get(key));
      setOwn(merged, key, v);
      if (s) entries.set(key, s);
    }
    for (const key of Object.keys(local)) {
      if (Object.hasOwn(global, key)) continue;
      setOwn(merged, key, local[key]!);
      const s = localSource?.entries?.get(key);
      if (s) entries.set(key, s);
    }
    const source: SourceNode | undefined = localSource ? { ...localSource, entries } : undefined;
    return [merged, source];
  }
  if (Array.isArray(global) && Array.isArray(local)) {
    const items = [...(globalSource?.items ?? global.map(() => undefined)), ...(localSource?.items ?? local.map(() => undefined))];
    const source: SourceNode | undefined =
      localSource && items.every((i) => i !== undefined) ? { ...localSource, items: items as SourceNode[] } : localSource;
    return [[...global, ...local], source];
  }
  return [local, localSource];
}

/**
 * Merges `root.Globals` into the SAM resources of `root` (in place), and the position tree
 * `source` alongside. A resource that gets a `Properties` only from Globals receives a synthetic
 * `Properties` source node (it has no position of its own). Resources whose `Properties` is not a
 * mapping (e.g. an `Fn::If`) are left alone.
 */
export function applySamGlobals(root: PlainObject, source: SourceNode): void {
  const globals = root['Globals'];
  const resources = root['Resources'];
  if (!isPlainObject(globals) || !isPlainObject(resources)) return;
  const globalsSource = source.entries?.get('Globals');
  const resourcesSource = source.entries?.get('Resources');
  for (const [section, type] of SAM_GLOBAL_SECTIONS) {
    const sectionValue = globals[section];
    if (!isPlainObject(sectionValue)) continue;
    const sectionSource = globalsSource?.entries?.get(section);
    for (const [id, resource] of Object.entries(resources)) {
      if (!isPlainObject(resource) || resource['Type'] !== type) continue;
      const resourceSource = resourcesSource?.entries?.get(id);
      const properties = resource['Properties'];
      if (properties !== undefined && properties !== null && !isPlainObject(properties)) continue;
      let propertiesSource = resourceSource?.entries?.get('Properties');
      const local: PlainObject = isPlainObject(properties) ? properties : {};
      if (!propertiesSource || !isPlainObject(properties)) {
        propertiesSource = {
          start: resourceSource?.start ?? 0,
          end: resourceSource?.start ?? 0,
          keyStart: -1,
          keyEnd: -1,
          entries: new Map(),
          synthetic: true,
        };
      }
      const [merged, mergedSource] = mergeValue(sectionValue, sectionSource, local, propertiesSource);
      setOwn(resource, 'Properties', merged);
      if (resourceSource && mergedSource) {
        if (!resourceSource.entries) resourceSource.entries = new Map();
        resourceSource.entries.set('Properties', mergedSource);
      }
    }
  }
}

/** One entry of a SAM function's `Events`. */
export interface SamEvent {
  /** Logical id of the `AWS::Serverless::Function`. */
  functionId: string;
  /** Key of the event under `Events`. */
  eventId: string;
  /** Event type (`SQS`, `Kinesis`, `DynamoDB`, `Api`, ...); '' when not a literal string. */
  type: string;
  /** The event's `Properties`; undefined when absent or not a mapping (an intrinsic). */
  properties: PlainObject | undefined;
  /** `['Resources', functionId, 'Properties', 'Events', eventId]`. */
  path: PathSegment[];
}

/** Every event of every `AWS::Serverless::Function` in the template, in document order. */
export function samFunctionEvents(template: Template): SamEvent[] {
  return samEventsOf(template, 'AWS::Serverless::Function');
}

/**
 * Every event of every `AWS::Serverless::StateMachine` (`EventBridgeRule`, `CloudWatchEvent`,
 * `Schedule`, `ScheduleV2`, `Api`): the same shape, `functionId` naming the state machine.
 */
export function samStateMachineEvents(template: Template): SamEvent[] {
  return samEventsOf(template, 'AWS::Serverless::StateMachine');
}

/** Events of SAM functions and state machines, with the kind of resource that owns each. */
export function samEvents(template: Template): (SamEvent & { owner: 'function' | 'state machine' })[] {
  return [
    ...samFunctionEvents(template).map((e) => ({ ...e, owner: 'function' as const })),
    ...samStateMachineEvents(template).map((e) => ({ ...e, owner: 'state machine' as const })),
  ];
}

function samEventsOf(template: Template, ownerType: string): SamEvent[] {
  const events: SamEvent[] = [];
  for (const resource of template.resources.values()) {
    if (resource.type !== ownerType) continue;
    const declared = resource.properties['Events'];
    if (!isPlainObject(declared)) continue;
    for (const [eventId, event] of Object.entries(declared)) {
      if (!isPlainObject(event)) continue;
      const type = typeof event['Type'] === 'string' ? event['Type'] : '';
      const properties = event['Properties'];
      events.push({
        functionId: resource.id,
        eventId,
        type,
        properties: isPlainObject(properties) ? properties : undefined,
        path: [...resource.path, 'Properties', 'Events', eventId],
      });
    }
  }
  return events;
}
