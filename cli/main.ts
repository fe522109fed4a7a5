// The `wire5g` command: a list of commands (each declared once in its own file with its options,
// see cli/args.ts) and one handler that turns any error into one line and an exit status
// (2: the command line is wrong, 1: it failed), with the stack trace only under --debug or
// WIRE5G_DEBUG=1.

import { debugRequested, defineGroup, dispatch, errorLine, exitStatus, type Command } from './args.ts';
import { decodeCommand } from './decode.ts';
import { captureCommand } from './capture.ts';
import { runCommand } from './run.ts';
import { startCommand } from './start.ts';
import { subscriberCommand } from './subscriber.ts';
import { upCommand } from './up.ts';
import { ctlCommand } from './ctl.ts';
import { scenariosCommand } from './scenarios.ts';
import { sbiHttp2 } from '../transport/sbi/http2-choice.ts';
import { isMainThread, workerData } from 'node:worker_threads';
import { isCoreThreadData } from '../nodes/core-threads/worker.ts';

/** Every command, in the order `wire5g --help` lists them. Add new commands here. */
export const COMMANDS: Command[] = [
  runCommand,
  scenariosCommand,
  upCommand,
  ctlCommand(),
  startCommand,
  decodeCommand,
  captureCommand,
  subscriberCommand,
];

const WIRE5G = defineGroup({
  name: 'wire5g',
  summary: 'a 5G System emulator on one machine',
  description: "wire5g: a 5G System emulator on one machine (UE, gNB, AMF, SMF, UPF, AUSF, UDM, UDR, PCF on loopback sockets).\nWith no command, 'wire5g' is 'wire5g run'. Errors exit 2 (wrong command line) or 1 (failure); --debug or WIRE5G_DEBUG=1 prints stack traces.",
  commands: COMMANDS,
});

const argv = process.argv.slice(2);
const debug = debugRequested(argv);
const where = { path: 'wire5g' };

function fail(e: unknown): void {
  process.stderr.write(`${errorLine(where.path, e)}\n`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exitCode = exitStatus(e);
}

/** The command: its output, its errors as one line, its exit status. */
function cli(): void {
  // `wire5g decode ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    fail(e);
    process.exit(1);
  });
  // an error no caller awaited (a socket's 'error' event, a timer's callback) is still one line
  process.on('uncaughtException', (e) => {
    fail(e);
    process.exit(1);
  });

  // `wire5g` alone and `wire5g --ues 3` are `wire5g run ...`
  const first = argv.find((a) => a !== '--debug');
  const routed = first === undefined || (first.startsWith('-') && first !== '--help' && first !== '-h') ? ['run', ...argv] : argv;
  // the environment's WIRE5G_SBI_HTTP2 (own | node) is checked before any command runs
  const result = Promise.resolve()
    .then(() => sbiHttp2())
    .then(() => dispatch('wire5g', WIRE5G, routed, (t) => process.stdout.write(t), where));
  result.then(
    (code) => {
      process.exitCode = code;
    },
    fail,
  );
}

// a thread of `wire5g run --threads N` runs a group of core NFs (nodes/core-threads/worker.ts
// starts it when this bundle is its entry), not the command
if (isMainThread || !isCoreThreadData(workerData)) cli();
