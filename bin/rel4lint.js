#!/usr/bin/env node
// The command line runs in this one process: a signal sent to it (Ctrl-C, a CI timeout's
// SIGTERM) ends the scan and its worker threads with it, and nothing is written afterwards.
import module from 'node:module';

// Node.js 22.1 and later keep the code they compile in a cache on disk, so that the next run
// starts without compiling rel4lint (and, for code files, TypeScript) again; earlier versions
// have no such cache and start as before. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

// A reader that stops early (`rel4lint | head`) is not an error: the rest of the output is
// dropped without a message and the exit code is the scan's. Any other failure to write the
// output is an error (exit code 2).
let outputError;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    outputError ??= { stream, error };
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  stdoutColumns: process.stdout.columns,
  env: process.env,
});
if (outputError) {
  if (outputError.stream !== process.stderr) process.stderr.write(`rel4lint: cannot write the output (${outputError.error.code ?? outputError.error.message})\n`);
  process.exitCode = 2;
} else {
  process.exitCode = code;
}
