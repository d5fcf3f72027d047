/**
 * AWS schedule expressions: `cron(Minutes Hours Day-of-month Month Day-of-week Year)`,
 * `rate(value unit)`, `at(yyyy-mm-ddThh:mm:ss)`.
 */

export interface CronSchedule {
  kind: 'cron';
  /** The six fields as written. */
  fields: string[];
  /** Minutes (0-59) at which it fires; undefined when the field cannot be read. */
  minutes: number[] | undefined;
  /** Hours (0-23) at which it fires; undefined when the field cannot be read. */
  hours: number[] | undefined;
}

/**
 * The step in minutes when the schedule fires every N minutes through the hour (`0/15`, `*\/10`,
 * `0,30`: evenly spaced minutes that divide the hour, N under 60); undefined otherwise. Such a
 * schedule is steady load, not a burst at one instant.
 */
export function minuteStep(cron: CronSchedule): number | undefined {
  const minutes = cron.minutes;
  if (!minutes || minutes.length < 2 || minutes.length >= 60) return undefined;
  const step = minutes[1]! - minutes[0]!;
  if (60 % step !== 0 || minutes.length !== 60 / step) return undefined;
  return minutes.every((m, i) => i === 0 || m - minutes[i - 1]! === step) ? step : undefined;
}

export type ScheduleExpression = CronSchedule | { kind: 'rate' } | { kind: 'at' } | { kind: 'invalid' };

/**
 * The values a cron field stands for, within [min, max]: `*`, `n`, `a-b`, `a/n`, `*\/n`, `a-b/n`
 * and comma lists of those. Undefined for anything else (`?`, `L`, `W`, `#`, names).
 */
export function expandField(field: string, min: number, max: number): number[] | undefined {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    let from = min;
    let to = max;
    if (m[1] !== '*') {
      from = Number(m[2]);
      to = m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : from;
    }
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (step < 1 || from < min || to > max || from > to) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

export function parseScheduleExpression(text: string): ScheduleExpression {
  const m = /^\s*(cron|rate|at)\((.*)\)\s*$/s.exec(text);
  if (!m) return { kind: 'invalid' };
  if (m[1] === 'rate') return { kind: 'rate' };
  if (m[1] === 'at') return { kind: 'at' };
  const fields = m[2]!.trim().split(/\s+/);
  if (fields.length !== 6) return { kind: 'invalid' };
  return { kind: 'cron', fields, minutes: expandField(fields[0]!, 0, 59), hours: expandField(fields[1]!, 0, 23) };
}
