#!/usr/bin/env node
// The CLI, bundled by `npm run package` into dist/cli (the same bundle the container runs).
import '../dist/cli/index.js';
