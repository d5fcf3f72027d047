import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { INTERNAL_HOSTS_RULE, mergeConfigs, withCommandLine, type ConfigFile } from '../../src/engine/config-file.js';

const has = (rule: string, option: string): boolean => rule === INTERNAL_HOSTS_RULE && option === 'internalHosts';
const file = (name: string, rest: Omit<ConfigFile, 'file' | 'dir'>): ConfigFile => ({ file: `/r/${name}`, dir: path.posix.dirname(`/r/${name}`), ...rest });

describe('mergeConfigs', () => {
  it('passes internalHosts to the rule unless its options set them, and keeps options under a --rule level', () => {
    const hosts = file('c.json', { internalHosts: ['api.internal'] });
    expect(mergeConfigs([hosts], has).rules).toEqual({ [INTERNAL_HOSTS_RULE]: { options: { internalHosts: ['api.internal'] } } });
    const own = mergeConfigs([{ ...hosts, rules: { [INTERNAL_HOSTS_RULE]: { level: 'error', options: { internalHosts: ['own'] } } } }], has);
    expect(withCommandLine(own.rules, { [INTERNAL_HOSTS_RULE]: 'note' })).toEqual({ [INTERNAL_HOSTS_RULE]: { level: 'note', options: { internalHosts: ['own'] } } });
    expect(mergeConfigs([{ ...hosts, rules: { [INTERNAL_HOSTS_RULE]: 'warning' } }], has).rules).toEqual({
      [INTERNAL_HOSTS_RULE]: { level: 'warning', options: { internalHosts: ['api.internal'] } },
    });
  });

  it('ignores internalHosts when no registered rule takes the option, and lets --rule win', () => {
    const merged = mergeConfigs([file('c.json', { internalHosts: ['x'], rules: { a: 'error' } })], () => false);
    expect(withCommandLine(merged.rules, { a: 'off' })).toEqual({ a: 'off' });
    expect(withCommandLine({}, { a: 'warning' })).toEqual({ a: 'warning' });
  });

  it('merges inner files over outer ones: preset, size limit, levels, options option by option, hosts, ignore patterns', () => {
    const outer = file('rel4lint.config.json', {
      preset: 'strict',
      maxFileBytes: 1000,
      ignore: ['generated/'],
      internalHosts: ['outer.internal'],
      rules: { 'no-unbounded-retry': { level: 'warning', options: { maxSdkAttempts: 3 } }, 'prefer-batch-operation': 'off' },
    });
    const inner = file('services/rel4lint.config.yaml', {
      maxFileBytes: 2000,
      ignore: ['*.test.ts'],
      internalHosts: ['inner.internal'],
      rules: { 'no-unbounded-retry': 'error', 'prefer-batch-operation': { options: {} } },
    });
    const merged = mergeConfigs([outer, inner], has);
    expect(merged.files).toEqual(['/r/rel4lint.config.json', '/r/services/rel4lint.config.yaml']);
    expect(merged.preset).toBe('strict');
    expect(merged.maxFileBytes).toBe(2000);
    expect(merged.ignore).toEqual([
      { dir: '/r', patterns: ['generated/'] },
      { dir: '/r/services', patterns: ['*.test.ts'] },
    ]);
    expect(merged.rules).toEqual({
      'no-unbounded-retry': { level: 'error', options: { maxSdkAttempts: 3 } },
      'prefer-batch-operation': { level: 'off', options: {} },
      [INTERNAL_HOSTS_RULE]: { options: { internalHosts: ['inner.internal'] } },
    });
  });
});
