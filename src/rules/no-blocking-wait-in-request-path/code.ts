import type { CodeReport, CodeDetector } from '../rule.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { ContextEvidence } from '../../code/evidence.js';
import { innermostRemote, remoteCallInfosIn, type RemoteCall } from '../../code/remote-calls.js';
import { reachedAt, reachedFiles } from '../../code/reach.js';
import { enclosingFunction, isFunctionLike, step, unwrap, walk, someOwnNode } from '../../code/walk.js';
import { isSleep } from '../../code/waits.js';
import { factsOfNode } from '../../code/modules.js';
import { sdkCallsOf } from '../../code/aws-sdk.js';

/**
 * Long-running jobs: the operation that starts one and the operations that read its state. A poll
 * of a read operation after its start in the same function is reported with the start as related.
 * `StartSyncExecution` (Express workflows) is a synchronous API by design and is not listed.
 */
const JOBS: { service: string; start: string[]; poll: string[]; what: string }[] = [
  { service: 'athena', start: ['StartQueryExecution'], poll: ['GetQueryExecution'], what: 'Athena query' },
  { service: 'glue', start: ['StartJobRun'], poll: ['GetJobRun'], what: 'Glue job run' },
  { service: 'glue', start: ['StartCrawler'], poll: ['GetCrawler'], what: 'Glue crawler run' },
  { service: 'codebuild', start: ['StartBuild'], poll: ['BatchGetBuilds'], what: 'CodeBuild build' },
  { service: 'batch', start: ['SubmitJob'], poll: ['DescribeJobs'], what: 'AWS Batch job' },
  { service: 'sfn', start: ['StartExecution'], poll: ['DescribeExecution', 'GetExecutionHistory'], what: 'Step Functions execution' },
  { service: 'transcribe', start: ['StartTranscriptionJob'], poll: ['GetTranscriptionJob'], what: 'Transcribe job' },
  { service: 'textract', start: ['StartDocumentAnalysis', 'StartDocumentTextDetection', 'StartExpenseAnalysis'], poll: ['GetDocumentAnalysis', 'GetDocumentTextDetection', 'GetExpenseAnalysis'], what: 'Textract job' },
  { service: 'redshift-data', start: ['ExecuteStatement', 'BatchExecuteStatement'], poll: ['DescribeStatement'], what: 'Redshift Data API statement' },
  { service: 'ecs', start: ['RunTask'], poll: ['DescribeTasks'], what: 'ECS task' },
  { service: 'cloudformation', start: ['CreateStack', 'UpdateStack'], poll: ['DescribeStacks'], what: 'CloudFormation stack operation' },
  { service: 'mediaconvert', start: ['CreateJob'], poll: ['GetJob'], what: 'MediaConvert job' },
  { service: 'emr', start: ['AddJobFlowSteps'], poll: ['DescribeStep'], what: 'EMR step' },
  { service: 'emr-serverless', start: ['StartJobRun'], poll: ['GetJobRun'], what: 'EMR Serverless job run' },
  { service: 'sagemaker', start: ['CreateTrainingJob', 'CreateTransformJob', 'CreateProcessingJob'], poll: ['DescribeTrainingJob', 'DescribeTransformJob', 'DescribeProcessingJob'], what: 'SageMaker job' },
];

const POLL_OPERATIONS = new Map<string, (typeof JOBS)[number]>();
for (const job of JOBS) for (const op of job.poll) POLL_OPERATIONS.set(`${job.service}:${op}`, job);

/** String values that name a state of something being waited for. */
const STATE_LITERAL =
  /^(?:[A-Z][A-Z_]{2,}|pending|running|processing|queued|submitted|starting|in[-_ ]?progress|succeeded|success|successful|completed?|done|ready|failed|finished|active|available|creating|stopped|cancelled|canceled|aborted|timed[-_ ]?out)$/i;
/** String methods that test part of a state's text. */
const STRING_TESTS = new Set(['endsWith', 'startsWith', 'includes']);
/** Property names that hold such a state. */
const STATE_PROPERTY = /(?:status|state|phase)$/i;

interface Waiter {
  call: ts.CallExpression;
  label: string;
}

/** v3 `waitUntilX(...)` / `waitForX(...)` from `@aws-sdk/client-*`, and v2 `client.waitFor('state', ...)`. */
function waiters(analysis: FileAnalysis): Waiter[] {
  const out: Waiter[] = [];
  const text = analysis.sourceFile.text;
  if (!text.includes('waitUntil') && !text.includes('waitFor')) return out;
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'waitFor') {
      const recv = analysis.origin(callee.expression);
      if (recv?.kind === 'instance' && (recv.ref.module === 'aws-sdk' || recv.ref.module.startsWith('aws-sdk/'))) {
        const state = call.arguments[0] && unwrap(call.arguments[0]);
        out.push({ call, label: `waitFor(${state && ts.isStringLiteralLike(state) ? `'${state.text}'` : '...'})` });
        continue;
      }
    }
    if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) continue;
    const name = ts.isIdentifier(callee) ? callee.text : callee.name.text;
    const origin = analysis.origin(callee);
    if (origin?.kind !== 'module' || !origin.ref.module.startsWith('@aws-sdk/client-') || origin.ref.path.length !== 1) continue;
    if (!/^wait(?:Until|For)[A-Z]/.test(origin.ref.path[0])) continue;
    out.push({ call, label: `${name}(...)` });
  }
  return out;
}

/**
 * Libraries whose call starts a long-running job and polls it until it finishes: the instance
 * methods of a class the module exports, or of what its factory returns.
 */
const POLLING_LIBRARIES: Record<string, { factory?: string; methods: string[]; what: string }> = {
  'athena-express': { methods: ['query'], what: 'starts an Athena query and polls it until it finishes' },
  'athena-express-plus': { methods: ['query'], what: 'starts an Athena query and polls it until it finishes' },
  'athena-client': { factory: 'createClient', methods: ['execute'], what: 'starts an Athena query and polls it until it finishes' },
};

/** `runner.query(sql)` on an `athena-express` instance: the library and what it does. */
function pollingLibraryCall(analysis: FileAnalysis, call: ts.CallExpression): { module: string; what: string } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const recv = analysis.origin(callee.expression);
  if (recv?.kind === 'instance') {
    const lib = POLLING_LIBRARIES[recv.ref.module];
    if (lib && !lib.factory && lib.methods.includes(method)) return { module: recv.ref.module, what: lib.what };
  }
  const value = analysis.resolveValue(callee.expression);
  if (ts.isCallExpression(value)) {
    const origin = analysis.origin(unwrap(value.expression));
    if (origin?.kind === 'module') {
      const lib = POLLING_LIBRARIES[origin.ref.module];
      const path = (origin.ref.path[0] === 'default' ? origin.ref.path.slice(1) : origin.ref.path).join('.');
      if (lib?.factory === path && lib.methods.includes(method)) return { module: origin.ref.module, what: lib.what };
    }
  }
  return undefined;
}

function insideCatch(node: ts.Node, stop: ts.Node): boolean {
  for (let p = node.parent; p && p !== stop; p = p.parent) {
    step();
    if (ts.isCatchClause(p)) return true;
  }
  return false;
}

function isStateLiteral(e: ts.Expression): boolean {
  const u = unwrap(e);
  return ts.isStringLiteralLike(u) && STATE_LITERAL.test(u.text);
}

/** `StatusString.FINISHED`, `ResourceStatus.UPDATE_SUCCESSFUL`: a member of an enum of states (the SDK's or the project's). */
function isStateMember(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (!ts.isPropertyAccessExpression(u)) return false;
  const receiver = unwrap(u.expression);
  return ts.isIdentifier(receiver) && /^[A-Z]/.test(receiver.text) && /^[A-Z][A-Z0-9_]{2,}$/.test(u.name.text) && STATE_LITERAL.test(u.name.text);
}

function mentionsState(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (ts.isPropertyAccessExpression(u)) return STATE_PROPERTY.test(u.name.text);
  if (ts.isIdentifier(u)) return STATE_PROPERTY.test(u.text);
  if (ts.isElementAccessExpression(u) && ts.isStringLiteralLike(u.argumentExpression)) return STATE_PROPERTY.test(u.argumentExpression.text);
  return false;
}

function isStateComparison(n: ts.Node): boolean {
  if (ts.isBinaryExpression(n)) {
    const op = n.operatorToken.kind;
    if (
      op === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      op === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
      op === ts.SyntaxKind.EqualsEqualsToken ||
      op === ts.SyntaxKind.ExclamationEqualsToken
    ) {
      const [l, r] = [unwrap(n.left), unwrap(n.right)];
      if (isStateMember(r) || isStateMember(l)) return true;
      return (ts.isStringLiteralLike(r) && (isStateLiteral(r) || mentionsState(l))) || (ts.isStringLiteralLike(l) && (isStateLiteral(l) || mentionsState(r)));
    }
    return false;
  }
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'includes') {
    const arr = unwrap(n.expression.expression);
    if (ts.isArrayLiteralExpression(arr) && arr.elements.length > 0 && arr.elements.every((el) => isStateLiteral(el) || isStateMember(el))) return true;
  }
  // `Status?.endsWith('_SUCCESSFUL')`, `state.startsWith('FAIL')`: a test of part of a state
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && STRING_TESTS.has(n.expression.name.text)) {
    const arg = n.arguments[0] && unwrap(n.arguments[0]);
    return !!arg && ts.isStringLiteralLike(arg) && mentionsState(n.expression.expression);
  }
  return false;
}

function containsStateComparison(root: ts.Node | undefined): boolean {
  return root !== undefined && someOwnNode(root, isStateComparison);
}

/** Whether a statement leaves the loop: `break`, `return` or `throw` (not inside a nested loop or function). */
function exits(stmt: ts.Statement): boolean {
  if (ts.isBreakStatement(stmt) || ts.isReturnStatement(stmt) || ts.isThrowStatement(stmt)) return true;
  let found = false;
  walk(stmt, (n) => {
    if (found || isFunctionLike(n) || ts.isIterationStatement(n, false) || ts.isSwitchStatement(n)) return false;
    if (ts.isBreakStatement(n) || ts.isReturnStatement(n) || ts.isThrowStatement(n)) found = true;
    return !found;
  });
  return found;
}

/**
 * Whether the loop runs until a state changes: its condition compares a state (`while (status ===
 * 'RUNNING')`), an `if` that leaves the loop does (`if (State === 'SUCCEEDED') break`), or a variable
 * of the condition is assigned from such a comparison (`done = ['FAILED', 'SUCCEEDED'].includes(s)`).
 * A state test that only skips or handles one item of an iteration is not polling.
 */
function waitsForState(loop: ts.IterationStatement): boolean {
  const condition = ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : ts.isForStatement(loop) ? loop.condition : undefined;
  if (containsStateComparison(condition)) return true;
  const conditionNames = new Set<string>();
  if (condition) {
    if (ts.isIdentifier(condition)) conditionNames.add(condition.text);
    walk(condition, (n) => {
      if (ts.isIdentifier(n)) conditionNames.add(n.text);
    });
  }
  let found = false;
  walk(loop.statement, (n) => {
    if (found || isFunctionLike(n) || ts.isIterationStatement(n, false)) return false;
    if (ts.isIfStatement(n) && containsStateComparison(n.expression) && exits(n.thenStatement)) found = true;
    else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(unwrap(n.left)) && conditionNames.has((unwrap(n.left) as ts.Identifier).text) && containsStateComparison(n.right)) found = true;
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && conditionNames.has(n.name.text) && containsStateComparison(n.initializer)) found = true;
    return !found;
  });
  return found;
}

/** The AWS operation behind a remote call (through helpers, of this file or another), when the analysis knows it. */
function awsOperation(analysis: FileAnalysis, remote: RemoteCall): { service: string; operation: string } | undefined {
  const inner = innermostRemote(remote);
  if (inner.kind !== 'aws') return undefined;
  const call = inner.call;
  // a helper of another module (`getStatus(id)` with `sfn.describeExecution(...)` there): its file's calls
  const facts = factsOfNode(analysis, call);
  if (!facts) return undefined;
  const calls = sdkCallsOf(facts);
  step(calls.length);
  for (const s of calls) {
    if (s.node === call) return s;
    if (ts.isNewExpression(s.node) && call.arguments.some((a) => unwrap(a) === s.node || (ts.isIdentifier(unwrap(a)) && facts.resolveValue(unwrap(a)) === s.node))) return s;
    // v2 `.promise()` on the operation call
    if (ts.isPropertyAccessExpression(call.expression) && unwrap(call.expression.expression) === s.node) return s;
  }
  return undefined;
}

/** `Array(60)`, `new Array(n)`: an array made only to have `n` slots. */
function isSizedArray(e: ts.Expression): boolean {
  const u = unwrap(e);
  return (ts.isCallExpression(u) || ts.isNewExpression(u)) && ts.isIdentifier(unwrap(u.expression)) && (unwrap(u.expression) as ts.Identifier).text === 'Array' && u.arguments?.length === 1;
}

/**
 * A range of attempt numbers rather than a collection: `Array(60).keys()`, `[...Array(n).keys()]`,
 * `Array.from({ length: n })`, `new Array(n).fill(0)`, `Array.from(Array(n).keys())`.
 */
function isCountedRange(e: ts.Expression, depth = 0): boolean {
  const u = unwrap(e);
  if (depth > 3) return false;
  if (ts.isArrayLiteralExpression(u)) return u.elements.length === 1 && ts.isSpreadElement(u.elements[0]!) && isCountedRange(u.elements[0].expression, depth + 1);
  if (!ts.isCallExpression(u) || !ts.isPropertyAccessExpression(u.expression)) return false;
  const method = u.expression.name.text;
  const receiver = unwrap(u.expression.expression);
  if (method === 'keys' || method === 'fill') return isSizedArray(receiver);
  if (method === 'from' && ts.isIdentifier(receiver) && receiver.text === 'Array' && u.arguments[0]) {
    const source = unwrap(u.arguments[0]);
    if (ts.isObjectLiteralExpression(source)) return source.properties.length === 1 && source.properties[0]!.name?.getText() === 'length';
    return isSizedArray(source) || isCountedRange(source, depth + 1);
  }
  return false;
}

function pollingReport(analysis: FileAnalysis, loop: ts.IterationStatement, context: ContextEvidence): CodeReport | undefined {
  // iterating over a collection is not waiting for a state (a range of attempt numbers is a count)
  if (ts.isForInStatement(loop) || (ts.isForOfStatement(loop) && !isCountedRange(loop.expression))) return undefined;
  const remotes = remoteCallInfosIn(analysis, loop).filter((r) => enclosingFunction(r.call) === enclosingFunction(loop));
  if (remotes.length === 0) return undefined;
  if (!sleepsOutsideCatch(analysis, loop)) return undefined;
  const { job, poll } = statusPoll(analysis, remotes);
  if (!job && !waitsForState(loop)) return undefined;
  const related: CodeReport['related'] = [{ node: poll.call, label: 'status request repeated by the loop' }];
  const fn = enclosingFunction(loop);
  if (job && fn) {
    for (const s of analysis.sdkCalls) {
      if (s.service === job.service && job.start.includes(s.operation) && s.node.pos < loop.pos && enclosingFunction(s.node) === fn) {
        related.push({ node: s.node, label: `${s.operation} starts the ${job.what}` });
        break;
      }
    }
  }
  const pollLabel = innermostRemote(poll).label;
  const what = job ? `the ${job.what} to finish` : 'a state change';
  return {
    node: loop,
    message: `Polling loop around \`${pollLabel}\` waits for ${what} inside a request-path handler (${context.reason}): the caller is held for the whole run and gets a timeout, not the outcome, when it takes longer`,
    related,
  };
}

/**
 * async's (and neo-async's) loop functions: which argument is the test and which the iteratee that
 * runs once per pass (`whilst(test, iteratee, done)`, `doWhilst(iteratee, test, done)`).
 */
const ASYNC_LOOPS: Record<string, { test?: number; iteratee: number }> = {
  whilst: { test: 0, iteratee: 1 },
  until: { test: 0, iteratee: 1 },
  during: { test: 0, iteratee: 1 },
  doWhilst: { test: 1, iteratee: 0 },
  doUntil: { test: 1, iteratee: 0 },
  doDuring: { test: 1, iteratee: 0 },
  forever: { iteratee: 0 },
};

/** `async.whilst(test, iteratee, done)` and the other loop functions of async / neo-async. */
function asyncLoop(analysis: FileAnalysis, call: ts.CallExpression): { name: string; test?: ts.Node; iteratee: ts.FunctionLikeDeclaration } | undefined {
  const origin = analysis.origin(unwrap(call.expression));
  if (origin?.kind !== 'module') return undefined;
  const parts = origin.ref.module.split('/');
  if ((parts[0] !== 'async' && parts[0] !== 'neo-async') || parts.length > 2) return undefined;
  const path = origin.ref.path[0] === 'default' ? origin.ref.path.slice(1) : origin.ref.path;
  const name = parts.length === 2 ? (path.length === 0 ? parts[1] : undefined) : path.length === 1 ? path[0] : undefined;
  const shape = name !== undefined && Object.hasOwn(ASYNC_LOOPS, name) ? ASYNC_LOOPS[name] : undefined;
  if (!shape) return undefined;
  const arg = call.arguments[shape.iteratee];
  const iteratee = arg && unwrap(arg);
  if (!iteratee || !isFunctionLike(iteratee) || !iteratee.body) return undefined;
  const test = shape.test !== undefined ? call.arguments[shape.test] : undefined;
  return { name: name!, ...(test ? { test: unwrap(test) } : {}), iteratee };
}

/** Whether `root` sleeps somewhere outside a catch block (a wait between passes, not a back-off after an error). */
function sleepsOutsideCatch(analysis: FileAnalysis, root: ts.Node): boolean {
  let sleeps = false;
  walk(root, (n) => {
    if (sleeps) return false;
    if (ts.isCallExpression(n) && !insideCatch(n, root) && isSleep(analysis, n)) sleeps = true;
    return !sleeps;
  });
  return sleeps;
}

/** The first of `remotes` (at least one) that reads the status of a known long-running job, with that job; else the first of them. */
function statusPoll(analysis: FileAnalysis, remotes: RemoteCall[]): { job?: (typeof JOBS)[number]; poll: RemoteCall } {
  for (const r of remotes) {
    const op = awsOperation(analysis, r);
    const job = op && POLL_OPERATIONS.get(`${op.service}:${op.operation}`);
    if (job) return { job, poll: r };
  }
  return { poll: remotes[0]! };
}

/**
 * A loop of async that polls: its iteratee makes a remote call and sleeps (`setTimeout(next, 1000)`)
 * outside a catch, and the call reads the status of a known long-running job, or the test or the
 * iteratee compares a state.
 */
function asyncPollingReport(analysis: FileAnalysis, call: ts.CallExpression, context: ContextEvidence): CodeReport | undefined {
  const loop = asyncLoop(analysis, call);
  if (!loop) return undefined;
  const remotes = remoteCallInfosIn(analysis, loop.iteratee);
  if (remotes.length === 0) return undefined;
  if (!sleepsOutsideCatch(analysis, loop.iteratee)) return undefined;
  const { job, poll } = statusPoll(analysis, remotes);
  const comparesState = (root: ts.Node | undefined): boolean => {
    let found = false;
    if (root) walk(root, (n) => (found ||= isStateComparison(n), !found));
    return found;
  };
  if (!job && !comparesState(loop.test) && !comparesState(loop.iteratee)) return undefined;
  const what = job ? `the ${job.what} to finish` : 'a state change';
  return {
    node: call,
    message: `Polling loop (\`${loop.name}\` of async) around \`${innermostRemote(poll).label}\` waits for ${what} inside a request-path handler (${context.reason}): the caller is held for the whole run and gets a timeout, not the outcome, when it takes longer`,
    related: [{ node: poll.call, label: 'status request repeated by the loop' }],
  };
}

/** Waiters and polling loops of a file that run in the request path (`contextOf`). */
function waitReports(analysis: FileAnalysis, contextOf: (node: ts.Node) => ContextEvidence | undefined): CodeReport[] {
  const reports: CodeReport[] = [];
  for (const w of waiters(analysis)) {
    const context = contextOf(w.call);
    if (context?.context !== 'request-path') continue;
    reports.push({
      node: w.call,
      message: `\`${w.label}\` blocks a request-path handler (${context.reason}) until a resource reaches a state: the caller is held while the waiter polls and gets a timeout, not the outcome, when it takes longer`,
    });
  }
  if ([...analysis.modules].some((m) => m in POLLING_LIBRARIES)) {
    for (const call of analysis.calls) {
      const lib = pollingLibraryCall(analysis, call);
      if (!lib) continue;
      const context = contextOf(call);
      if (context?.context !== 'request-path') continue;
      const text = unwrap(call.expression).getText().replace(/\s+/g, '');
      reports.push({
        node: call,
        message: `\`${text.length <= 40 ? text : 'query'}(...)\` (${lib.module}) ${lib.what} inside a request-path handler (${context.reason}): the caller is held for the whole run and gets a timeout, not the outcome, when it takes longer`,
      });
    }
  }
  for (const loop of analysis.loops) {
    const context = contextOf(loop);
    if (context?.context !== 'request-path') continue;
    const r = pollingReport(analysis, loop, context);
    if (r) reports.push(r);
  }
  if ([...analysis.modules].some((m) => m === 'async' || m === 'neo-async' || m.startsWith('async/') || m.startsWith('neo-async/'))) {
    for (const call of analysis.calls) {
      if (call.arguments.length === 0) continue;
      const context = contextOf(call);
      if (context?.context !== 'request-path') continue;
      const r = asyncPollingReport(analysis, call, context);
      if (r) reports.push(r);
    }
  }
  // nested polling loops: report the outermost
  const loops = reports.filter((r) => ts.isIterationStatement(r.node, false));
  return reports.filter((r) => !(ts.isIterationStatement(r.node, false) && loops.some((o) => o !== r && o.node.pos <= r.node.pos && o.node.end >= r.node.end)));
}

const detector: CodeDetector = {
  // a finding needs a waiter, a polling library or a sleep between polls (here or in the helpers a handler file reaches)
  prefilter: /wait|sleep|delay|setTimeout|pause|snooze|timeout|athena-/i,
  followsImports: true,
  code({ analysis }) {
    const reports = waitReports(analysis, (node) => analysis.contexts.contextAt(node));
    // helpers in other modules that a request-path handler calls
    for (const file of reachedFiles(analysis)) {
      for (const r of waitReports(file.facts, (node) => reachedAt(file, node)?.context)) {
        const from = reachedAt(file, r.node)?.from;
        reports.push(from ? { ...r, related: [...(r.related ?? []), { node: from, label: 'reached from this call of the handler' }] } : r);
      }
    }
    return reports.sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
