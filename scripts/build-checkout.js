#!/usr/bin/env node
/**
 * `postinstall`: builds dist/ after `npm install` or `npm ci` in a checkout of the repository (as
 * CI, developers and pre-commit, which installs hooks from a clone, do). In an installed package,
 * which ships dist/ and no sources, it does nothing.
 *
 * The build runs at install rather than in `prepare` because `npm pack` runs `prepare` and prints
 * its banner on stdout, where pre-commit reads the name of the packed file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(root, 'tsconfig.build.json')) || !existsSync(path.join(root, 'src'))) process.exit(0);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
