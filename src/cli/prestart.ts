// Imported first by the CLI's entry (the one adapter file that reaches into a wing: it must run
// before the commands load), before the modules that take long to load: for a `dump`, its
// worker threads boot on the other cores meanwhile (dump/dump-threads.ts), so they are ready about
// when the dump opens its connections instead of a tenth of a second later.
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { dumpThreadsToPrestart } from '../dump/chunk-plan.js';
import { prestartDumpThreads } from '../dump/dump-threads.js';
import { dumpJobsToPrestart } from './args.js';

// A thread running this bundle for its own code must not start threads of its own.
if (isMainThread) prestartDumpThreads(dumpThreadsToPrestart(dumpJobsToPrestart(process.argv.slice(2), availableParallelism()), availableParallelism()));
