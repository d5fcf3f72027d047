/**
 * Worker thread of a parallel scan: analyses the code files (with the project context of those a
 * template links) and loads the CloudFormation/SAM/CDK templates the main thread sends, in
 * batches, and posts back each file's result (see `FileResult`; templates as plain data, see
 * `../iac/transfer.ts`). The rules come from the registry module the scan was handed, loaded
 * again here: functions do not cross threads; names, severities and options do.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isStackOverflow, takeStackOverflow } from '../ground/stack-overflow.js';
import { emptyRoleCounts } from '../ground/roles.js';
import type { FileProjectContext } from '../context/types.js';
import { packTemplate } from '../iac/transfer.js';
import type { RuleEntry } from '../rules/rule.js';
import { analyseFile, Engine, HashRecorder } from './engine.js';
import { prepareScan } from './scan.js';
import type { WorkerFileResult } from './results.js';
import type { WorkerRequest, WorkerResponse, WorkerSettings } from './workers.js';

const settings = workerData as WorkerSettings;

const { RULES } = (await import(settings.registry)) as { RULES: readonly RuleEntry[] };
const registry = { rules: RULES, module: settings.registry };
const { rules, scoped, code } = await prepareScan(registry, settings.rules, settings.code, settings.scoped);
const recorder = settings.cache ? new HashRecorder() : undefined;
const knownRules = new Set(RULES.map((r) => r.meta.name));
const engine = new Engine({ cwd: settings.cwd, rules, scoped, knownRules, maxFileBytes: settings.maxFileBytes, cache: recorder, code });

/** A result to send back for a file, or a request that the main thread analyses it. */
function analyse(file: string, context: FileProjectContext | undefined): WorkerFileResult {
  takeStackOverflow();
  let result: WorkerFileResult;
  try {
    result = analyseFile(engine, recorder, file, context);
  } catch (err) {
    if (!isStackOverflow(err)) throw err;
    engine.takeResult();
    return handBack();
  }
  return takeStackOverflow() ? handBack() : portable(result);
}

/** Nesting this thread's stack cannot follow: the main thread's stack decides (see stack-overflow.ts). */
function handBack(): WorkerFileResult {
  return { pending: [], sources: [], directives: [], directiveSources: [], filesScanned: 0, codeFiles: 0, dataFiles: 0, roles: emptyRoleCounts(), templates: [], linked: [], handBack: true };
}

/** Templates cross to the main thread as plain data. */
function portable(result: WorkerFileResult): WorkerFileResult {
  if (result.templates.length === 0) return result;
  const packed = result.templates.map((template) => {
    const p = packTemplate(template);
    // the main thread only sends files whose loader builds packable templates (`loadsAnywhere`)
    if (!p) throw new Error(`the template of ${template.file} cannot be passed between threads`);
    return p;
  });
  return { ...result, templates: [], packed };
}

parentPort!.on('message', (request: WorkerRequest) => {
  let response: WorkerResponse;
  try {
    response = {
      id: request.id,
      results: request.files.map((file, k) => {
        // should this thread stop on the file (out of memory), the main thread knows which it was
        parentPort!.postMessage({ id: request.id, begin: k } satisfies WorkerResponse);
        return analyse(file, request.contexts[k] ?? undefined);
      }),
    };
  } catch (err) {
    response = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(response);
});
