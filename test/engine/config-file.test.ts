import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { INTERNAL_HOSTS_RULE, findConfigFile, mergeRuleSettings } from '../../src/engine/config-file.js';
import { project } from '../helpers/tmp.js';

const has = (rule: string, option: string): boolean => rule === INTERNAL_HOSTS_RULE && option === 'internalHosts';

describe('mergeRuleSettings', () => {
  it('passes internalHosts to the rule unless its options set them, and keeps options under a --rule level', () => {
    const file = { file: 'c.json', internalHosts: ['api.internal'] };
    expect(mergeRuleSettings(file, {}, has)).toEqual({ [INTERNAL_HOSTS_RULE]: { options: { internalHosts: ['api.internal'] } } });
    expect(
      mergeRuleSettings({ ...file, rules: { [INTERNAL_HOSTS_RULE]: { level: 'error', options: { internalHosts: ['own'] } } } }, { [INTERNAL_HOSTS_RULE]: 'note' }, has),
    ).toEqual({ [INTERNAL_HOSTS_RULE]: { level: 'note', options: { internalHosts: ['own'] } } });
    expect(mergeRuleSettings({ ...file, rules: { [INTERNAL_HOSTS_RULE]: 'warning' } }, {}, has)).toEqual({
      [INTERNAL_HOSTS_RULE]: { level: 'warning', options: { internalHosts: ['api.internal'] } },
    });
  });

  it('ignores internalHosts when no registered rule takes the option, and lets --rule win', () => {
    expect(mergeRuleSettings({ file: 'c.json', internalHosts: ['x'], rules: { a: 'error' } }, { a: 'off' }, () => false)).toEqual({ a: 'off' });
    expect(mergeRuleSettings(undefined, { a: 'warning' }, () => false)).toEqual({ a: 'warning' });
  });
});

describe('findConfigFile', () => {
  it('prefers the one scanned directory, then the working directory; an explicit path wins', () => {
    const root = project({ 'rel4lint.config.json': '{}', 'app/rel4lint.config.yaml': 'preset: strict\n', 'other/x.ts': '' });
    expect(findConfigFile(root, undefined, ['app'])).toBe(path.join(root, 'app', 'rel4lint.config.yaml'));
    expect(findConfigFile(root, undefined, ['other'])).toBe(path.join(root, 'rel4lint.config.json'));
    expect(findConfigFile(root, undefined, ['app', 'other'])).toBe(path.join(root, 'rel4lint.config.json'));
    expect(findConfigFile(root, 'app/rel4lint.config.yaml', [])).toBe(path.join(root, 'app', 'rel4lint.config.yaml'));
    expect(() => findConfigFile(root, 'missing.json', [])).toThrow(/missing\.json does not exist/);
  });
});
