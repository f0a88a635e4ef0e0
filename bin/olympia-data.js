#!/usr/bin/env node
// The CLI, bundled by `npm run package` into dist/cli (the same bundle the container runs).
// From Node 22.8 on, the bundle's compiled code is kept between runs in this user's cache
// (module.enableCompileCache), so a run starts without compiling the whole bundle again; a cache
// that cannot be written only leaves that undone. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import module from 'node:module';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

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

/**
 * Whether the nearest existing part of `path` belongs to this user. Compiled code is run as it is
 * read back, so none is kept where another account could write it: say, root running with a user's
 * HOME.
 */
function ownedByMe(path) {
  if (typeof process.getuid !== 'function') return true;
  for (let p = path; ; p = dirname(p)) {
    try {
      return statSync(p).uid === process.getuid();
    } catch {
      if (dirname(p) === p) return false;
    }
  }
}

const home = cacheHome();
if (home && typeof module.enableCompileCache === 'function') {
  const dir = join(home, 'olympia-data', 'compile-cache');
  try {
    if (ownedByMe(dir)) module.enableCompileCache(dir);
  } catch {
    // Only a faster start is lost.
  }
}
await import('../dist/cli/index.js');
