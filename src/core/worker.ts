/**
 * Worker thread of a parallel scan: analyses the code files (with the project context of those a
 * template links) and loads the CloudFormation/SAM/CDK templates the main thread sends, in
 * batches, and posts back each file's result (see `FileResult`; templates as plain data, see
 * `../iac/transfer.ts`). Rules are resolved again from the registry by name: functions do not
 * cross threads; names, severities and options do.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getRule } from '../rules/index.js';
import { analyseFile, Engine, HashRecorder } from './engine.js';
import type { ResolvedRule } from './types.js';
import type { FileProjectContext } from '../context/project.js';
import type { WorkerFileResult, WorkerRequest, WorkerResponse, WorkerSettings } from './workers.js';
import { packTemplate } from '../iac/transfer.js';
import { isStackOverflow, takeStackOverflow } from './stack-overflow.js';

const settings = workerData as WorkerSettings;

const rules: ResolvedRule[] = settings.rules.map((r) => {
  const rule = getRule(r.name);
  if (!rule) throw new Error(`unknown rule ${r.name}`);
  return { rule, severity: r.severity, severityOverridden: r.severityOverridden, options: r.options };
});

const recorder = settings.cache ? new HashRecorder() : undefined;
const engine = new Engine({ cwd: settings.cwd, files: [], rules, maxFileBytes: settings.maxFileBytes, cache: recorder });

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
  return { pending: [], sources: [], directives: [], directiveSources: [], filesScanned: 0, codeFiles: 0, templates: [], linked: [], handBack: true };
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
    response = { id: request.id, results: request.files.map((file, k) => analyse(file, request.contexts[k] ?? undefined)) };
  } catch (err) {
    response = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(response);
});
