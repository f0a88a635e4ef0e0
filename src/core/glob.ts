// A small glob matcher and directory walker (Node 20 has no fs.glob).
// Syntax: `**` (any number of directories), `*` and `?` (within one path segment), `{a,b}` (alternatives,
// nestable), `[abc]` / `[a-z]` / `[!a-z]` (character classes), `\x` (a literal x). A leading `!` excludes.
// A pattern that matches a directory takes every file below it, so `db/migrations` means the whole folder.
// Patterns are relative to the base directory and use `/`; dot files match like any other file.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './errors.js';

/** Directories never walked: they are large and never hold a project's migrations. */
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

const META = /[*?[\]{}\\]/;

/** Translates one glob into a RegExp source matching a whole relative path. */
function translate(glob: string): string {
  let out = '';
  let i = 0;
  const n = glob.length;
  while (i < n) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atSegmentStart = i === 0 || glob[i - 1] === '/';
        const next = glob[i + 2];
        if (atSegmentStart && next === '/') {
          out += '(?:[^/]*/)*'; // `**/`: zero or more directories
          i += 3;
          continue;
        }
        if (atSegmentStart && next === undefined) {
          out += '.*'; // trailing `**`: everything below
          i += 2;
          continue;
        }
      }
      out += '[^/]*';
      i += 1;
    } else if (c === '?') {
      out += '[^/]';
      i += 1;
    } else if (c === '[') {
      const end = classEnd(glob, i);
      if (end === -1) {
        out += '\\[';
        i += 1;
        continue;
      }
      let body = glob.slice(i + 1, end);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      const escaped = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += negate ? `(?!/)[^${escaped}]` : `[${escaped}]`;
      i = end + 1;
    } else if (c === '{') {
      const end = braceEnd(glob, i);
      if (end === -1) {
        out += '\\{';
        i += 1;
        continue;
      }
      const parts = splitAlternatives(glob.slice(i + 1, end));
      out += `(?:${parts.map(translate).join('|')})`;
      i = end + 1;
    } else if (c === '\\' && i + 1 < n) {
      out += escapeRegExp(glob[i + 1]);
      i += 2;
    } else {
      out += escapeRegExp(c);
      i += 1;
    }
  }
  return out;
}

function classEnd(glob: string, start: number): number {
  let j = start + 1;
  if (glob[j] === '!' || glob[j] === '^') j++;
  if (glob[j] === ']') j++; // a leading `]` is literal
  for (; j < glob.length; j++) {
    if (glob[j] === ']') return j;
    if (glob[j] === '/') return -1;
  }
  return -1;
}

function braceEnd(glob: string, start: number): number {
  let depth = 0;
  for (let j = start; j < glob.length; j++) {
    if (glob[j] === '\\') j++;
    else if (glob[j] === '{') depth++;
    else if (glob[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function splitAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let j = 0; j < body.length; j++) {
    const c = body[j];
    if (c === '\\' && j + 1 < body.length) {
      current += c + body[++j];
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function normalize(pattern: string): string {
  return pattern
    .trim()
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
}

/** Compiles a glob into a predicate over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${translate(normalize(glob))}$`);
}

export function matchGlob(glob: string, relativePath: string): boolean {
  return globToRegExp(glob).test(relativePath);
}

interface CompiledGlob {
  source: string;
  regexp: RegExp;
  exclude: boolean;
  /** The literal leading directories, where the walk can start. */
  base: string;
}

function literalBase(pattern: string): string {
  const segments = pattern.split('/');
  const literal: string[] = [];
  for (const s of segments.slice(0, -1)) {
    if (META.test(s)) break;
    literal.push(s);
  }
  return literal.join('/');
}

function compile(raw: string): CompiledGlob | undefined {
  let pattern = raw.trim();
  if (pattern === '' || pattern.startsWith('#')) return undefined;
  const exclude = pattern.startsWith('!');
  if (exclude) pattern = pattern.slice(1).trim();
  pattern = normalize(pattern);
  if (pattern.startsWith('/') || /^[A-Za-z]:[\\/]/.test(pattern)) {
    throw new UsageError(`The glob ${JSON.stringify(raw)} is an absolute path.`, 'Write globs relative to the working directory, e.g. "db/migrations/**".');
  }
  if (pattern.split('/').includes('..')) {
    throw new UsageError(
      `The glob ${JSON.stringify(raw)} leaves the working directory ("..").`,
      'Write globs relative to the working directory, or set working-directory to a common parent.',
    );
  }
  if (pattern === '') pattern = '**';
  return { source: raw, regexp: globToRegExp(pattern), exclude, base: literalBase(pattern) };
}

/** Every file below `dir` (relative to `root`), skipping SKIPPED_DIRS; symlinks to files count, symlinked dirs do not (no loops). */
async function walk(root: string, dir: string, out: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw e;
  }
  for (const entry of entries) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(root, rel, out);
    } else if (entry.isFile()) {
      out.add(rel);
    } else if (entry.isSymbolicLink()) {
      const target = await stat(join(root, rel)).catch(() => undefined);
      if (target?.isFile()) out.add(rel);
    }
  }
}

/** True when the path or one of its parent directories matches. */
function matchesPathOrParent(regexp: RegExp, path: string): boolean {
  if (regexp.test(path)) return true;
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    if (regexp.test(path.slice(0, i))) return true;
  }
  return false;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The files under `baseDir` matched by the include globs and by no exclude glob (`!pattern`), as sorted
 * `/`-separated relative paths. Blank lines and `#` comments in the list are ignored.
 */
export async function expandGlobs(baseDir: string, globs: readonly string[]): Promise<string[]> {
  const compiled = globs.map(compile).filter((g): g is CompiledGlob => g !== undefined);
  const includes = compiled.filter((g) => !g.exclude);
  const excludes = compiled.filter((g) => g.exclude);
  if (includes.length === 0) return [];
  // Walk each distinct literal base once; a base inside another is covered by the outer one.
  const bases = [...new Set(includes.map((g) => g.base))].sort(byCodeUnit);
  const roots = bases.filter((b, i) => !bases.slice(0, i).some((outer) => outer === '' || b.startsWith(`${outer}/`)));
  const candidates = new Set<string>();
  for (const base of roots) {
    const target = await stat(join(baseDir, base)).catch(() => undefined);
    if (target?.isDirectory()) await walk(baseDir, base, candidates);
  }
  const matched = [...candidates].filter((p) => includes.some((g) => matchesPathOrParent(g.regexp, p)) && !excludes.some((g) => matchesPathOrParent(g.regexp, p)));
  return matched.sort(byCodeUnit);
}
