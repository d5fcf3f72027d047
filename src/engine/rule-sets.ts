/**
 * Rules that differ from one directory to another, as configuration files in sub-folders make
 * them: the scan's rules, and other sets for the files of listed directories. Plain data, so that
 * it crosses to worker threads as the rules do.
 */
import path from 'node:path';
import type { ResolvedRule } from '../ground/types.js';
import { byRuleName } from './config.js';

export interface ScopedRules {
  /** Rule sets besides the scan's own rules (set `i + 1` is `sets[i]`; set 0 is the scan's). */
  sets: { rules: ResolvedRule[]; maxFileBytes?: number }[];
  /** Absolute directory → the set of the files directly in it; the files of other directories use set 0. */
  dirs: Record<string, number>;
}

export interface RuleSet<R extends ResolvedRule> {
  rules: R[];
  byName: Map<string, R>;
  maxFileBytes?: number;
}

/** The rule set of each file. */
export class RuleSets<R extends ResolvedRule> {
  readonly all: RuleSet<R>[];
  private readonly dirs: Map<string, number>;

  constructor(base: { rules: R[]; maxFileBytes?: number }, scoped: { rules: R[]; maxFileBytes?: number }[] = [], dirs: Record<string, number> = {}) {
    this.all = [base, ...scoped].map((s) => ({ rules: s.rules, byName: new Map(s.rules.map((r) => [r.meta.name, r])), maxFileBytes: s.maxFileBytes }));
    this.dirs = new Map(Object.entries(dirs));
  }

  /** The set of an absolute file path. */
  forFile(file: string): RuleSet<R> {
    return this.all[this.dirs.get(path.dirname(file)) ?? 0] ?? this.all[0]!;
  }

  get scoped(): boolean {
    return this.all.length > 1;
  }

  /** Every rule enabled in some set, once (the first set's resolution of it), sorted by name. */
  union(): R[] {
    const out = new Map<string, R>();
    for (const set of this.all) for (const r of set.rules) if (!out.has(r.meta.name)) out.set(r.meta.name, r);
    return [...out.values()].sort(byRuleName);
  }
}
