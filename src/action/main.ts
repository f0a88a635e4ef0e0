// The action's entry point (action.yml → dist/index.js): everything happens in runAction.
import { runAction } from './run.js';

void runAction(true);
