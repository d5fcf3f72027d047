import type { IacReport, IacDetector } from '../rule.js';
import { Intrinsic, type IacValue, type PathSegment, type PlainObject, type Template } from '../../iac/model.js';
import { displayName, hasOpaqueProperties, intrinsicText, isAbsent, isPlainObject } from '../../iac/resources.js';
import { samEvents } from '../../iac/sam.js';
import { deploymentUnits } from '../../context/units.js';
import { minuteStep, parseScheduleExpression, type CronSchedule } from './cron.js';

interface Schedule {
  template: Template;
  /** For messages. */
  label: string;
  /** Path of the schedule expression. */
  path: PathSegment[];
  expression: string;
  cron: CronSchedule;
  /** 'none' for classic EventBridge rules and Glue triggers (they have no window), else the literal mode. */
  window: 'none' | 'OFF';
  /** What has no flexible time window, for messages (window 'none'). */
  windowless?: string;
  timezone: string;
  /** The construct path of a CDK app's construct (`aws:cdk:path`, without the stack). */
  cdkPath?: string;
}

function isDisabled(properties: PlainObject): boolean {
  const state = properties['State'];
  if (typeof state === 'string' && state.toUpperCase() === 'DISABLED') return true;
  const enabled = properties['Enabled'];
  return enabled === false || enabled === 'false';
}

/**
 * The flexible-window mode: 'OFF' when it is known to be off, undefined when it is flexible or
 * cannot be known. Absent counts as off (Scheduler requires the property; SAM defaults it off).
 */
function windowMode(value: IacValue | undefined): 'OFF' | undefined {
  if (isAbsent(value)) return 'OFF';
  if (!isPlainObject(value)) return undefined;
  const mode = value['Mode'];
  if (isAbsent(mode)) return 'OFF';
  return typeof mode === 'string' && mode.toUpperCase() === 'OFF' ? 'OFF' : undefined;
}

/** Stands for a value known only at deploy time in a schedule expression's text. */
const DEPLOY_TIME = '${…}';

/**
 * The text of a schedule expression: a string, or an `Fn::Join` / `Fn::Sub` built around values
 * known only at deploy time (`cron(0 23 ? * ${Day} *)`, as a CDK synth writes a cron with a
 * parameter for one field), those values standing as `${…}` so that the fields written out can
 * still be read.
 */
function expressionText(value: IacValue | undefined): string | undefined {
  // an expression is joined without a separator, from a few parts
  if (value instanceof Intrinsic && value.name === 'Fn::Join') {
    const [separator, parts] = Array.isArray(value.argument) ? value.argument : [];
    if (separator !== '' || !Array.isArray(parts) || parts.length > 64) return undefined;
  }
  return intrinsicText(
    value,
    (p) => (typeof p === 'number' ? String(p) : DEPLOY_TIME),
    () => DEPLOY_TIME,
  );
}

function schedulesOf(template: Template): Schedule[] {
  const out: Schedule[] = [];
  // the construct path of the resource being read (a CDK app's source)
  let cdkPath: IacValue | undefined;
  const add = (
    label: string,
    properties: PlainObject,
    expressionKey: string,
    path: PathSegment[],
    window: 'none' | 'OFF' | undefined,
    timezone: IacValue | undefined,
    windowless = 'classic EventBridge schedules',
  ): void => {
    const expression = expressionText(properties[expressionKey]);
    if (expression === undefined || !window || isDisabled(properties)) return;
    if (!isAbsent(timezone) && typeof timezone !== 'string') return;
    const parsed = parseScheduleExpression(expression);
    if (parsed.kind !== 'cron') return;
    const schedule: Schedule = { template, label, path: [...path, expressionKey], expression, cron: parsed, window, windowless, timezone: typeof timezone === 'string' ? timezone : 'UTC' };
    if (typeof cdkPath === 'string') schedule.cdkPath = cdkPath;
    out.push(schedule);
  };
  for (const resource of template.resources.values()) {
    if (hasOpaqueProperties(template, resource)) continue;
    const p = resource.properties;
    const path = [...resource.path, 'Properties'];
    cdkPath = template.format === 'cdk-source' ? resource.metadata?.['aws:cdk:path'] : undefined;
    if (resource.type === 'AWS::Events::Rule') {
      add(`EventBridge rule \`${displayName(resource)}\``, p, 'ScheduleExpression', path, 'none', undefined);
    } else if (resource.type === 'AWS::Scheduler::Schedule') {
      add(`schedule \`${displayName(resource)}\``, p, 'ScheduleExpression', path, windowMode(p['FlexibleTimeWindow']), p['ScheduleExpressionTimezone']);
    } else if (resource.type === 'AWS::Glue::Trigger' && gluePeriodic(template, p)) {
      add(`Glue trigger \`${displayName(resource)}\``, p, 'Schedule', path, 'none', undefined, 'Glue triggers');
    }
  }
  cdkPath = undefined;
  for (const event of samEvents(template)) {
    if (!event.properties) continue;
    const owner = template.resources.get(event.functionId)!;
    const label = `${event.type} event \`${event.eventId}\` of ${event.owner} \`${displayName(owner)}\``;
    const path = [...event.path, 'Properties'];
    if (event.type === 'Schedule') add(label, event.properties, 'Schedule', path, 'none', undefined);
    else if (event.type === 'ScheduleV2') {
      add(label, event.properties, 'ScheduleExpression', path, windowMode(event.properties['FlexibleTimeWindow']), event.properties['ScheduleExpressionTimezone']);
    }
  }
  return out;
}

/**
 * A Glue trigger that starts its jobs on its schedule: of type SCHEDULED, and started, which a
 * CloudFormation trigger is only with `StartOnCreation: true` (else it waits in the CREATED state
 * for someone to start it) and a Terraform one unless `enabled = false`.
 */
function gluePeriodic(template: Template, p: PlainObject): boolean {
  const type = p['Type'];
  if (typeof type !== 'string' || type.toUpperCase() !== 'SCHEDULED') return false;
  if (template.format === 'terraform') return true;
  const start = p['StartOnCreation'];
  return start === true || start === 'true';
}

const ALL_MINUTES = 60;

/** Fires at minute 0 as a burst: not a schedule that runs every few minutes through the hour (steady load). */
function firesAtMinuteZero(cron: CronSchedule): boolean {
  return cron.minutes !== undefined && cron.minutes.includes(0) && cron.minutes.length < ALL_MINUTES && minuteStep(cron) === undefined;
}

/** Key of the instants a schedule fires at, per the rule: timezone, minute and hour fields (none for steady schedules). */
function instantsKey(schedule: Schedule): string | undefined {
  const { minutes, hours } = schedule.cron;
  if (!minutes || !hours || minutes.length === ALL_MINUTES || minuteStep(schedule.cron) !== undefined) return undefined;
  return `${schedule.timezone}|${minutes.join(',')}|${hours.join(',')}`;
}

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    // the first schedule at each instant key, and the first of each template there
    const seen = new Map<string, { first: Schedule; byTemplate: Map<Template, Schedule> }>();
    // schedules of different deployments (the projects of a samples repository) do not collide
    const units = deploymentUnits(templates);
    for (const template of templates) {
      const unit = units.get(template)?.id ?? template.file;
      for (const schedule of schedulesOf(template)) {
        const reasons: string[] = [];
        const related: NonNullable<IacReport['related']> = [];
        if (firesAtMinuteZero(schedule.cron)) {
          const window = schedule.window === 'none' ? `${schedule.windowless ?? 'classic EventBridge schedules'} have no flexible time window` : 'FlexibleTimeWindow is OFF';
          reasons.push(`fires at minute 0 and ${window}, so it runs together with every other top-of-the-hour job`);
        }
        const instants = instantsKey(schedule);
        const key = instants === undefined ? undefined : `${unit}\u0000${instants}`;
        if (key !== undefined) {
          const before = seen.get(key);
          // the same construct code made by another stack is not a second schedule to stagger:
          // the first schedule of this template at these instants is compared instead
          // (a copy in another stack of the same file is no second schedule of its stack either)
          const copy = before && copiesOfOneConstruct(before.first, schedule);
          const earlier = !before ? undefined : !copy ? before.first : before.first.template === template ? undefined : before.byTemplate.get(template);
          if (earlier) {
            reasons.push(`fires at the same instants as ${earlier.label} (${earlier.expression})`);
            related.push({ template: earlier.template, path: earlier.path, label: `${earlier.label} fires at the same instants` });
          }
          if (!before) seen.set(key, { first: schedule, byTemplate: new Map([[template, schedule]]) });
          else if (!before.byTemplate.has(template)) before.byTemplate.set(template, schedule);
        }
        if (reasons.length === 0) continue;
        reports.push({
          template,
          path: schedule.path,
          message: `${capitalize(schedule.label)} (${schedule.expression}) ${reasons.join(', and ')}: every client of a shared dependency wakes at once`,
          ...(related.length > 0 ? { related } : {}),
        });
      }
    }
    return reports;
  },
};

/**
 * Two schedules written at one place: a construct class (or helper) of a CDK app file that several
 * stacks instantiate. Each stack deploys a copy of the same code, often in another region or
 * account. In one template (the stacks of one app file) copies have the same construct path,
 * which no two constructs of one stack can have; copies within one stack (a loop over tenants,
 * each with an id of its own) still collide.
 */
function copiesOfOneConstruct(a: Schedule, b: Schedule): boolean {
  if (a.template.format !== 'cdk-source' || b.template.format !== 'cdk-source') return false;
  if (a.template === b.template && (a.cdkPath === undefined || a.cdkPath !== b.cdkPath)) return false;
  const at = a.template.locate(a.path);
  const bt = b.template.locate(b.path);
  return (at.file ?? a.template.file) === (bt.file ?? b.template.file) && at.start === bt.start;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export default detector;
