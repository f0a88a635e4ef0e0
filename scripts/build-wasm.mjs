// Assembles src/mysql/row-encoder.wat into src/mysql/row-encoder-wasm.ts (the module as base64), so
// the runtime needs no assembler. Run by `npm run package`; check-dist fails when the output differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'mysql');
const source = readFileSync(join(dir, 'row-encoder.wat'), 'utf8');
const wabt = await wabtInit();
const mod = wabt.parseWat('row-encoder.wat', source, { simd: true });
mod.validate();
const { buffer } = mod.toBinary({});
mod.destroy();
const base64 = Buffer.from(buffer).toString('base64');
const lines = base64.match(/.{1,100}/g).map((l) => `  '${l}'`);
const out = `// Generated from row-encoder.wat by scripts/build-wasm.mjs (\`npm run package\`); do not edit.
export const ROW_ENCODER_WASM =
${lines.join(' +\n')};
`;
const target = join(dir, 'row-encoder-wasm.ts');
let current = '';
try {
  current = readFileSync(target, 'utf8');
} catch {}
if (current !== out) writeFileSync(target, out);
