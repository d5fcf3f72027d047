/**
 * EventBridge rules (schedules, patterns, targets with their dead-letter queues and retry
 * policies) and EventBridge Scheduler schedules written with the CDK; `Schedule.cron`/`rate`
 * built into the expressions a synth writes.
 */
import { ts } from '../code/ts.js';
import { Intrinsic, Unknown, type IacValue } from '../iac/model.js';
import { type SourceNode } from '../iac/document.js';
import { List, Mapping, type Built } from './resources.js';
import { entryOf, isScheduleExpression, lit, unknown, unknownNode, UNDEF, type Cx, type Entry, type ObjVal, type Val } from './values.js';
import { FUNCTIONS, type Converter } from './convert.js';

type Args = Val[];
type Node = ts.Node;

export class Events {
  constructor(readonly cv: Converter) {}

  /**
   * `Schedule.cron({ minute: '0', hour: '23', weekDay })`: the expression a synth writes; a field
   * given as a deploy-time value (a parameter, `Fn.conditionIf(...)`) makes it an `Fn::Join` with
   * that value in its place, as the CDK does, so the other fields can still be read.
   */
  cron(options: Val | undefined, scheduler: boolean): Val {
    if (!options || options.k !== 'obj' || options.open) return unknown('a cron schedule that cannot be evaluated');
    const field = (name: string): string | IacValue | undefined => {
      const e = entryOf(options, name);
      if (e === 'absent') return undefined;
      if (e === 'unknown') return new Unknown(name);
      if (e.val.k === 'undef') return undefined;
      if (e.val.k === 'lit' && (typeof e.val.v === 'string' || typeof e.val.v === 'number')) return String(e.val.v);
      return e.val.k === 'token' ? e.val.value : new Unknown(name);
    };
    const minute = field('minute');
    const hour = field('hour');
    const day = field('day');
    const month = field('month');
    const year = field('year');
    const weekDay = field('weekDay');
    const parts: IacValue[] = [];
    const text = (s: string): void => {
      if (typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] = `${parts[parts.length - 1] as string}${s}`;
      else parts.push(s);
    };
    const fields = [minute ?? '*', hour ?? '*', day ?? (weekDay !== undefined ? '?' : '*'), month ?? '*', weekDay ?? '?', year ?? '*'];
    text('cron(');
    fields.forEach((f, i) => {
      if (i > 0) text(' ');
      if (typeof f === 'string') text(f);
      else parts.push(f);
    });
    text(')');
    const expression: Val = parts.length === 1 ? lit(parts[0] as string) : { k: 'token', value: new Intrinsic('Fn::Join', ['', parts]) };
    if (!scheduler) return expression;
    const timeZone = entryOf(options, 'timeZone');
    const zone: Val = timeZone === 'absent' ? UNDEF : timeZone === 'unknown' ? unknown('timeZone') : timeZone.val;
    const node = [...options.entries.values()][0]?.node ?? this.cv.sf;
    return { k: 'obj', entries: new Map([['expression', { val: expression, node, key: node }], ['timeZone', { val: zone, node, key: node }]]), open: false };
  }

  rule(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const res = this.cv.addResource(c.path, 'AWS::Events::Rule', node);
    c.res = res;
    const p = args[2];
    const at = this.cv.callSource(node);
    const m = res.props;
    this.cv.setFrom(m, 'ScheduleExpression', p, 'schedule', (v) => (v.k === 'lit' ? v.v : this.cv.plain(v)), at);
    this.cv.copy(m, 'EventPattern', p, 'eventPattern', at);
    this.cv.copy(m, 'Name', p, 'ruleName', at);
    this.cv.setFrom(m, 'State', p, 'enabled', (v) => (v.k === 'lit' ? (v.v === false ? 'DISABLED' : 'ENABLED') : v.k === 'undef' ? undefined : new Unknown('enabled')), at);
    const targets = new List();
    c.data['targets'] = targets;
    const e = entryOf(p, 'targets');
    // `Targets` appears with the first target (from the props or `addTarget`), as in a synth
    c.data['targetsSource'] = { ...at, keyStart: -1, keyEnd: -1, synthetic: true } satisfies SourceNode;
    if (e === 'unknown') m.set('Targets', { value: new Unknown('targets'), source: at });
    else if (e !== 'absent') {
      c.data['targetsSource'] = this.cv.entrySource(e);
      if (e.val.k === 'arr') {
        for (const item of e.val.items) this.pushTarget(c, item.val, item.node);
        // a spread of something unknown: the targets it may add are unknown, the others are known
        if (e.val.open) this.pushTarget(c, unknownNode(this.cv, e.node), e.node);
      } else if (e.val.k !== 'undef') {
        m.set('Targets', { value: new Unknown(this.cv.describe(e.node)), source: this.cv.entrySource(e) });
      }
    }
    return { k: 'cx', c };
  }

  /**
   * `ScheduledFargateTask` / `ScheduledEc2Task` (aws-ecs-patterns): the rule `ScheduledEventRule`
   * the pattern makes from its `schedule`, `ruleName` and `enabled`, with the one `EcsTask` target
   * it adds, to which it passes no dead-letter queue or retry policy.
   */
  scheduledTask(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const props = args[2];
    const ruleProps: Val = { k: 'obj', entries: new Map(), open: false };
    for (const name of ['schedule', 'ruleName', 'enabled']) {
      const e = entryOf(props, name);
      if (e === 'unknown') ruleProps.entries.set(name, { val: unknown(name), node, key: node.expression });
      else if (e !== 'absent') ruleProps.entries.set(name, e);
    }
    const target: Val = { k: 'cx', c: this.cv.cx('events-targets.EcsTask', node, [UNDEF]) };
    ruleProps.entries.set('targets', { val: { k: 'arr', items: [{ val: target, node }], open: false }, node, key: node.expression });
    const scope: Val = { k: 'cx', c: this.cv.cx('constructs.Construct', node, [], c.path) };
    const ruleArgs = [scope, lit('ScheduledEventRule'), ruleProps];
    c.data['eventRule'] = this.rule(this.cv.cx('events.Rule', node, ruleArgs), ruleArgs, node);
    return { k: 'cx', c };
  }

  /**
   * The schedules a function construct of a package the scan does not hold is given
   * (`rules: [{ schedule: Schedule.cron({ minute: '0' }) }]`, `schedule: Schedule.rate(...)`,
   * `schedules: [...]`): a schedule expression there is what the construct makes an EventBridge
   * rule of, to invoke its function, so each is read as such a rule, reported where the app writes
   * it. The target's dead-letter queue and retry policy are the library's to set, and unknown.
   */
  librarySchedules(fn: Val, props: Val | undefined, node: ts.NewExpression): void {
    if (fn.k !== 'cx' || !fn.c.res || props?.k !== 'obj') return;
    const found: Entry[] = [];
    collectSchedules(props, found, 0);
    found.forEach((entry, i) => {
      const target: Val = { k: 'cx', c: this.cv.cx('events-targets.LambdaFunction', node, [fn, { k: 'obj', entries: new Map(), open: true }]) };
      const ruleProps: Val = {
        k: 'obj',
        entries: new Map([
          ['schedule', entry],
          ['targets', { val: { k: 'arr', items: [{ val: target, node }], open: false }, node, key: node.expression }],
        ]),
        open: false,
      };
      const scope: Val = { k: 'cx', c: this.cv.cx('constructs.Construct', node, [], fn.c.path) };
      const ruleArgs = [scope, lit(found.length === 1 ? 'ScheduleRule' : `ScheduleRule${i}`), ruleProps];
      this.rule(this.cv.cx('events.Rule', node, ruleArgs), ruleArgs, node);
    });
  }

  addTarget(rule: Cx, val: Val, node: Node): void {
    if (rule.data['targets']) this.pushTarget(rule, val, node);
  }

  /**
   * `rule.addTarget(new LambdaFunction(fn))` on a rule from another file (`rule` describes it):
   * the rule is not seen, the permission the CDK gives EventBridge to invoke the function is
   * (added to the function, in this file).
   */
  targetOfOtherRule(target: Cx, rule: string, node: Node): void {
    if (target.kind !== 'events-targets.LambdaFunction') return;
    const fn = target.args[0];
    if (fn?.k !== 'cx' || !fn.c.res || !FUNCTIONS.has(fn.c.kind)) return;
    this.cv.permission([...fn.c.path, `AllowEventRule:${rule}`], this.cv.resources.getAtt(fn.c.res, 'Arn'), 'events.amazonaws.com', node);
  }

  /** A rule target: `{ Id, Arn, DeadLetterConfig, RetryPolicy }` from an aws-events-targets object. */
  private pushTarget(rule: Cx, val: Val, node: Node): void {
    const targets = rule.data['targets'] as List;
    const props = rule.res!.props;
    if (props.value['Targets'] instanceof Unknown) return;
    if (!props.has('Targets')) props.set('Targets', { value: targets.value, source: { ...(rule.data['targetsSource'] as SourceNode), items: targets.items } });
    const id = `Target${targets.value.length}`;
    const bound = val.k === 'obj' || val.k === 'inst' ? this.cv.interp.callMember?.(val, 'bind', [{ k: 'cx', c: rule }, lit(id)]) : undefined;
    if (bound) {
      targets.push(this.boundTarget(bound, id, node));
      return;
    }
    if (val.k !== 'cx') {
      targets.push({ value: new Unknown(val.k === 'unknown' ? val.why : 'a target'), source: this.cv.nodeSource(node) });
      return;
    }
    const t = val.c;
    const source = this.cv.callSource(t.node);
    const target = new Mapping();
    target.set('Id', { value: id, source });
    target.set('Arn', { value: this.targetArn(t), source });
    this.targetRetryProps(target, t.args[1], source);
    targets.push(target.built(source));
  }

  /**
   * A target of the app's own (`{ bind: () => ({ id, arn, role }) }`, a class implementing
   * `IRuleTarget`): the `RuleTargetConfig` its `bind` returns, whose `deadLetterConfig` and
   * `retryPolicy` are already in CloudFormation's shape.
   */
  private boundTarget(config: Val, id: string, node: Node): Built {
    const source = this.cv.nodeSource(node);
    if (config.k !== 'obj') return { value: new Unknown(config.k === 'unknown' ? config.why : 'a target'), source };
    const target = new Mapping();
    target.set('Id', { value: id, source });
    const arn = entryOf(config, 'arn');
    target.set('Arn', { value: arn === 'absent' ? new Unknown('arn') : arn === 'unknown' ? new Unknown('arn') : (this.cv.plain(arn.val) ?? new Unknown(this.cv.describe(arn.node))), source });
    this.cv.setFrom(target, 'DeadLetterConfig', config, 'deadLetterConfig', (v, e) => (v.k === 'undef' ? undefined : (this.cv.built(v, this.cv.entrySource(e), 'cfn')?.value ?? new Unknown('deadLetterConfig'))), source);
    this.cv.setFrom(target, 'RetryPolicy', config, 'retryPolicy', (v, e) => (v.k === 'undef' ? undefined : (this.cv.built(v, this.cv.entrySource(e), 'cfn')?.value ?? new Unknown('retryPolicy'))), source);
    return target.built(source);
  }

  /** DeadLetterConfig and RetryPolicy of an EventBridge or Scheduler target. */
  private targetRetryProps(target: Mapping, props: Val | undefined, source: SourceNode): void {
    this.cv.setFrom(
      target,
      'DeadLetterConfig',
      props,
      'deadLetterQueue',
      (v, e) => {
        const arn = this.cv.arn(v);
        if (arn === undefined) return undefined;
        const d = new Mapping();
        d.set('Arn', { value: arn, source: this.cv.entrySource(e) });
        return d.built(this.cv.entrySource(e));
      },
      source,
    );
    const retry = new Mapping();
    this.cv.copy(retry, 'MaximumRetryAttempts', props, 'retryAttempts', source);
    this.cv.setFrom(retry, 'MaximumEventAgeInSeconds', props, 'maxEventAge', (v) => this.cv.seconds(v), source);
    if (Object.keys(retry.value).length > 0) {
      const first = [...retry.entries.values()][0]!;
      target.set('RetryPolicy', retry.built({ ...first, keyStart: first.keyStart, keyEnd: first.keyEnd }));
    }
  }

  /** What a target object invokes. */
  private targetArn(t: Cx): IacValue {
    const resource = t.args[0] ?? UNDEF;
    const kind = t.kind.replace(/^(events-targets|scheduler-targets)\./, '');
    if (kind === 'CloudWatchLogGroup' && !(resource.k === 'cx' && resource.c.res)) {
      return new Intrinsic('Fn::Sub', 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*');
    }
    if (resource.k === 'cx' || resource.k === 'token') return this.cv.arn(resource) ?? new Unknown(kind);
    return new Unknown(resource.k === 'unknown' ? resource.why : kind);
  }

  schedule(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const res = this.cv.addResource(c.path, 'AWS::Scheduler::Schedule', node);
    c.res = res;
    const p = args[2];
    const at = this.cv.callSource(node);
    const m = res.props;
    const schedule = entryOf(p, 'schedule');
    if (schedule === 'unknown') m.set('ScheduleExpression', { value: new Unknown('schedule'), source: at });
    else if (schedule !== 'absent') {
      const v = schedule.val;
      const source = this.cv.entrySource(schedule);
      if (v.k === 'lit') m.set('ScheduleExpression', { value: v.v, source });
      else if (v.k === 'obj') {
        const expression = v.entries.get('expression')?.val;
        const zone = v.entries.get('timeZone')?.val;
        m.set('ScheduleExpression', { value: expression ? (this.cv.plain(expression) ?? new Unknown('schedule')) : new Unknown('schedule'), source });
        if (zone && zone.k !== 'undef') m.set('ScheduleExpressionTimezone', { value: zone.k === 'lit' ? zone.v : new Unknown('a time zone'), source });
      } else m.set('ScheduleExpression', { value: new Unknown(this.cv.describe(schedule.node)), source });
    }
    this.cv.setFrom(
      m,
      'FlexibleTimeWindow',
      p,
      'timeWindow',
      (v, e): IacValue | undefined => {
        if (v.k === 'undef') return undefined;
        if (v.k === 'lit') return { Mode: v.v };
        if (v.k === 'obj') return { Mode: 'FLEXIBLE', MaximumWindowInMinutes: this.cv.minutes(v.entries.get('maximumWindowInMinutes')?.val ?? UNDEF) ?? null };
        return new Unknown(this.cv.describe(e.node));
      },
      at,
    );
    this.cv.setFrom(m, 'State', p, 'enabled', (v) => (v.k === 'lit' ? (v.v === false ? 'DISABLED' : 'ENABLED') : v.k === 'undef' ? undefined : new Unknown('enabled')), at);
    this.cv.setFrom(
      m,
      'Target',
      p,
      'target',
      (v, e) => {
        if (v.k !== 'cx') return v.k === 'undef' ? undefined : new Unknown(this.cv.describe(e.node));
        const source = this.cv.callSource(v.c.node);
        const target = new Mapping();
        target.set('Arn', { value: this.targetArn(v.c), source });
        this.targetRetryProps(target, v.c.args[1], source);
        return target.built(source);
      },
      at,
    );
    return { k: 'cx', c };
  }
}


/**
 * Schedule expressions of a construct's props under a key that names a schedule (`schedule`,
 * `scheduleExpression`, `schedules: [...]`), also in the objects of a list (`rules: [{ schedule }]`),
 * two levels deep; an `environment` is data for the function, never a schedule.
 */
function collectSchedules(props: ObjVal, out: Entry[], depth: number): void {
  for (const [key, entry] of props.entries) {
    if (key === 'environment') continue;
    const v = entry.val;
    const named = /schedule/i.test(key);
    if (named && isScheduleExpression(v)) out.push(entry);
    else if (v.k === 'arr') {
      for (const item of v.items) {
        if (named && isScheduleExpression(item.val)) out.push({ val: item.val, node: item.node, key: item.node });
        else if (item.val.k === 'obj' && depth < 2) collectSchedules(item.val, out, depth + 1);
      }
    } else if (v.k === 'obj' && depth < 2) collectSchedules(v, out, depth + 1);
  }
}

/** `rate(5 minutes)` as EventBridge and Scheduler write it. */
export function rate(duration: Val | undefined): Val {
  if (duration?.k !== 'dur' || duration.seconds <= 0) return unknown('a rate that cannot be evaluated');
  const s = duration.seconds;
  const make = (n: number, unit: string): string => (n === 1 ? `rate(1 ${unit})` : `rate(${n} ${unit}s)`);
  if (s % 86400 === 0) return lit(make(s / 86400, 'day'));
  if (s % 3600 === 0) return lit(make(s / 3600, 'hour'));
  return lit(make(Math.floor(s / 60), 'minute'));
}
