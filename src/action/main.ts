// The action's entry point (action.yml → dist/index.js): everything happens in runAction.
import { isMainThread } from 'node:worker_threads';
import { runAction } from './run.js';

// Dump worker threads load this same bundle for their own code (src/dump/dump-thread.ts).
if (isMainThread) void runAction(true);
