#!/usr/bin/env node
// The CLI, bundled by `npm run package` into dist/cli (the same bundle the container runs).
// From Node 22.1 on, the bundle's compiled code is kept between runs in this user's cache
// (module.enableCompileCache), so a run starts without compiling the whole bundle again; a cache
// that cannot be written only leaves that undone. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import module from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

function cacheHome() {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return xdg;
  try {
    const home = homedir();
    return home && isAbsolute(home) ? join(home, '.cache') : undefined;
  } catch {
    return undefined;
  }
}

const home = cacheHome();
if (home && typeof module.enableCompileCache === 'function') {
  try {
    module.enableCompileCache(join(home, 'olympia-data', 'compile-cache'));
  } catch {
    // Only a faster start is lost.
  }
}
await import('../dist/cli/index.js');
