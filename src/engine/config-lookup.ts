/**
 * Where configuration comes from, file by file (as ESLint's flat config looks up from the linted
 * file, and as Ruff does):
 *
 * - The configuration of a directory is every `rel4lint.config.json|yaml|yml` in it and in the
 *   directories above it, up to the repository root (the nearest directory holding `.git`, which
 *   is included) or up to a file that says `"root": true`, whichever comes first; outside a
 *   repository, up to the file system root. They are merged outermost first, so a file in a
 *   sub-folder refines the one above it for the files below it (see `mergeConfigs`).
 * - A file uses the configuration of its directory. A file outside the working directory that
 *   has no configuration file of its own uses the working directory's.
 * - `--config <file>` (an explicit file) is the whole configuration of every file: no lookup, and
 *   its `ignore` patterns are relative to the working directory.
 * - Two configuration files in one directory are an error (which one applies would be a guess).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../ground/errors.js';
import type { RuleMeta } from '../ground/types.js';
import type { IgnorePatterns } from './discover.js';
import { CONFIG_FILE_NAMES, loadConfigFile, mergeConfigs, type ConfigFile, type EffectiveConfig } from './config-file.js';

const NAMES: ReadonlySet<string> = new Set(CONFIG_FILE_NAMES);

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class ConfigLookup {
  /** Configuration files and `.git` seen in a directory (the walk tells; others are looked up). */
  private readonly entries = new Map<string, { config?: string; repo: boolean }>();
  private readonly files = new Map<string, ConfigFile>();
  private readonly chains = new Map<string, readonly ConfigFile[]>();
  private readonly merged = new Map<string, EffectiveConfig>();
  private readonly ignores = new WeakMap<readonly ConfigFile[], readonly IgnorePatterns[]>();
  private readonly patterns = new WeakMap<ConfigFile, IgnorePatterns>();
  private readonly explicit: ConfigFile | undefined;
  private readonly disabled: boolean;

  /**
   * @param explicit a file named with `--config` (used alone), or `false` for no configuration at all
   */
  constructor(
    private readonly cwd: string,
    private readonly known: readonly { meta: RuleMeta }[],
    private readonly hasOption: (rule: string, option: string) => boolean,
    explicit?: string | false,
  ) {
    if (typeof explicit === 'string') {
      const file = path.resolve(cwd, explicit);
      if (!existsSync(file)) throw new ConfigError(`config file ${explicit} does not exist`);
      this.explicit = loadConfigFile(file, cwd, { known, base: cwd });
    }
    this.disabled = explicit === false;
  }

  /** True when configuration comes from one file named on the command line (or from none). */
  get fixed(): boolean {
    return this.disabled || this.explicit !== undefined;
  }

  /** Tells the lookup what a directory holds (the names of its entries), saving it a look. */
  seed(dir: string, names: Iterable<string>): void {
    if (this.entries.has(dir)) return;
    const found: string[] = [];
    let repo = false;
    for (const name of names) {
      if (NAMES.has(name)) found.push(name);
      else if (name === '.git') repo = true;
    }
    this.entries.set(dir, this.describe(dir, found, repo));
  }

  private describe(dir: string, found: string[], repo: boolean): { config?: string; repo: boolean } {
    if (found.length > 1) {
      const shown = path.relative(this.cwd, dir).split(path.sep).join('/') || '.';
      throw new ConfigError(`${shown} has ${found.sort().join(' and ')}: keep one configuration file per directory`);
    }
    return { ...(found.length === 1 ? { config: path.join(dir, found[0]!) } : {}), repo };
  }

  private look(dir: string): { config?: string; repo: boolean } {
    let entry = this.entries.get(dir);
    if (!entry) {
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        // an unreadable directory holds no configuration we can use
      }
      entry = this.describe(dir, names.filter((n) => NAMES.has(n)), names.includes('.git'));
      this.entries.set(dir, entry);
    }
    return entry;
  }

  private load(file: string): ConfigFile {
    let config = this.files.get(file);
    if (!config) {
      config = loadConfigFile(file, this.cwd, { known: this.known });
      this.files.set(file, config);
    }
    return config;
  }

  /** The configuration files of a directory, outermost first. */
  chain(dir: string): readonly ConfigFile[] {
    if (this.explicit) return [this.explicit];
    if (this.disabled) return [];
    const cached = this.chains.get(dir);
    if (cached) return cached;
    const entry = this.look(dir);
    const own = entry.config !== undefined ? this.load(entry.config) : undefined;
    const parent = path.dirname(dir);
    let chain: readonly ConfigFile[];
    if (own?.root || entry.repo || parent === dir) chain = own ? [own] : [];
    else chain = own ? [...this.chain(parent), own] : this.chain(parent);
    this.chains.set(dir, chain);
    return chain;
  }

  /** The configuration files that apply to a file (or to the files of a directory, given as `dir/`). */
  chainFor(file: string): readonly ConfigFile[] {
    const chain = this.chain(path.dirname(file));
    if (chain.length === 0 && !isInside(this.cwd, file)) return this.chain(this.cwd);
    return chain;
  }

  /** The `ignore` patterns of a directory's configuration files, each with the directory it is relative to. */
  ignoreAt(dir: string): readonly IgnorePatterns[] {
    const chain = this.chain(dir);
    let out = this.ignores.get(chain);
    if (!out) {
      out = chain.filter((c) => c.ignore && c.ignore.length > 0).map((c) => {
        let patterns = this.patterns.get(c);
        if (!patterns) this.patterns.set(c, (patterns = { dir: c.dir, patterns: c.ignore! }));
        return patterns;
      });
      this.ignores.set(chain, out);
    }
    return out;
  }

  /** The merged configuration of a chain (one object per distinct chain). */
  effective(chain: readonly ConfigFile[]): EffectiveConfig {
    const key = chain.map((c) => c.file).join('\0');
    let config = this.merged.get(key);
    if (!config) {
      config = mergeConfigs(chain, this.hasOption);
      this.merged.set(key, config);
    }
    return config;
  }
}
