// Incremental SQL statement splitter for mysqldump-style scripts (and our own migration/seed files).
// Chunks go in, complete statements come out; it follows the mysql client's rules closely enough to
// run mysqldump and addons-server `db.sql` files:
// - '…' and "…" strings with backslash escapes and doubled quotes; `…` identifiers with doubled backticks
//   (a backslash is not an escape inside backticks, as in MySQL);
// - `-- ` and `#` line comments and `/* … */` block comments are not statements; comments before a
//   statement are dropped, comments inside one are kept (optimizer hints `/*+ … */` must reach the server);
// - executable comments `/*!40101 … */` and MariaDB's `/*M!100100 … */` are statement text; a delimiter
//   inside them does not end the statement;
// - `DELIMITER ;;` at the start of a statement switches the delimiter, as mysqldump writes around triggers
//   and routines.
// Every character is looked at a bounded number of times: a decision that needs characters beyond the
// end of a chunk (a backslash, `*`, `-`, a multi-character delimiter, a DELIMITER line) keeps only that
// short tail for the next chunk, so big extended INSERTs split in linear time.
import { StringDecoder } from 'node:string_decoder';
import { OlympiaError } from '../core/errors.js';

const enum State {
  Normal,
  Quote,
  LineComment,
  BlockComment,
}

const NL = 10;
const CR = 13;
const BACKSLASH = 92;
const SLASH = 47;
const STAR = 42;
const DASH = 45;
const HASH = 35;
const BANG = 33;
const SQ = 39;
const DQ = 34;
const BT = 96;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === NL || c === CR || c === 11 || c === 12;
}

/** MySQL treats `--` as a comment only when followed by whitespace or a control character. */
function dashCommentFollower(c: number): boolean {
  return c <= 32;
}

/** A DELIMITER line longer than this is not one we will wait for across chunks. */
const MAX_DELIMITER_LINE = 1024;

export class SqlSplitter {
  private delimiter = ';';
  private state = State.Normal;
  private quote = 0;
  /** Inside an executable comment `/*! … *\/`: its text is SQL, but the delimiter does not end it. */
  private inExecComment = false;
  /** A non-comment, non-space character of the current statement has been seen. */
  private hasContent = false;
  /** Pieces of the current statement; joined once it completes. */
  private parts: string[] = [];
  /** Unscanned tail of the previous chunk that needed more input to decide. */
  private carry = '';
  private ended = false;

  /** Feeds a chunk; returns the statements it completed (without their delimiter). */
  push(chunk: string): string[] {
    if (this.ended) throw new Error('SqlSplitter.push after end()');
    const text = this.carry.length > 0 ? this.carry + chunk : chunk;
    this.carry = '';
    const out: string[] = [];
    this.scan(text, false, out);
    return out;
  }

  /** Ends the input; returns the last statement if it had no delimiter. Throws on an unterminated string or comment. */
  end(): string[] {
    if (this.ended) return [];
    this.ended = true;
    const text = this.carry;
    this.carry = '';
    const out: string[] = [];
    this.scan(text, true, out);
    if (this.state === State.Quote) {
      const what = this.quote === BT ? 'identifier (`)' : `string (${String.fromCharCode(this.quote)})`;
      throw new OlympiaError(`The SQL ends inside an unterminated quoted ${what}: ${firstLine(this.parts.join(''))}`);
    }
    if (this.state === State.BlockComment || this.inExecComment) {
      throw new OlympiaError('The SQL ends inside an unterminated /* … */ comment.');
    }
    this.finishStatement(out);
    return out;
  }

  private finishStatement(out: string[]): void {
    if (this.hasContent) {
      const sql = this.parts.join('').trimEnd();
      if (sql.length > 0) out.push(sql);
    }
    this.parts = [];
    this.hasContent = false;
  }

  private scan(text: string, final: boolean, out: string[]): void {
    const len = text.length;
    let i = 0;
    // Start of the current statement's text not yet copied into `parts`.
    let seg = 0;
    // Keeps text[i..] for the next chunk, saving the statement text before it.
    const suspend = (at: number): void => {
      if (this.hasContent && at > seg) this.parts.push(text.slice(seg, at));
      this.carry = text.slice(at);
    };

    while (i < len) {
      const state = this.state;
      if (state === State.Quote) {
        const q = this.quote;
        while (i < len) {
          const c = text.charCodeAt(i);
          if (c === BACKSLASH && q !== BT) {
            if (i + 1 >= len && !final) return suspend(i);
            i += 2;
          } else if (c === q) {
            // A doubled quote needs no look-ahead: closing and reopening the string is the same thing.
            i += 1;
            this.state = State.Normal;
            break;
          } else {
            i++;
          }
        }
        if (i > len) i = len; // a final trailing backslash
        continue;
      }

      if (state === State.LineComment) {
        let j = i;
        while (j < len) {
          const c = text.charCodeAt(j);
          if (c === NL || c === CR) break;
          j++;
        }
        i = j;
        if (j < len) {
          this.state = State.Normal;
          if (!this.hasContent) seg = j;
        }
        continue;
      }

      if (state === State.BlockComment) {
        const j = text.indexOf('*/', i);
        if (j < 0) {
          // Keep a trailing `*` so a `*/` split across chunks is still seen.
          if (!final && text.charCodeAt(len - 1) === STAR) return suspend(len - 1);
          i = len;
          continue;
        }
        i = j + 2;
        this.state = State.Normal;
        if (!this.hasContent) seg = i;
        continue;
      }

      // Normal state.
      const c = text.charCodeAt(i);

      if (!this.hasContent) {
        if (isSpace(c)) {
          i++;
          seg = i;
          continue;
        }
        if (c === 68 || c === 100 /* D or d */) {
          const r = this.tryDelimiterCommand(text, i, final);
          if (r === 'more') return suspend(i);
          if (r !== 'no') {
            i = r;
            seg = i;
            continue;
          }
        }
      }

      // The delimiter is checked before comments, as the mysql client does (so `DELIMITER //` works).
      if (!this.inExecComment && c === this.delimiter.charCodeAt(0)) {
        const d = this.delimiter;
        if (d.length > 1 && i + d.length > len && !final && d.startsWith(text.slice(i))) return suspend(i);
        if (d.length === 1 || text.startsWith(d, i)) {
          if (this.hasContent && i > seg) this.parts.push(text.slice(seg, i));
          this.finishStatement(out);
          i += d.length;
          seg = i;
          continue;
        }
      }

      if (c === SQ || c === DQ || c === BT) {
        if (!this.hasContent) {
          this.hasContent = true;
          seg = i;
        }
        this.state = State.Quote;
        this.quote = c;
        i++;
        continue;
      }

      if (c === HASH) {
        this.state = State.LineComment;
        i++;
        continue;
      }

      if (c === DASH) {
        if (i + 2 >= len && !final) return suspend(i);
        if (i + 1 < len && text.charCodeAt(i + 1) === DASH && (i + 2 >= len || dashCommentFollower(text.charCodeAt(i + 2)))) {
          this.state = State.LineComment;
          i += 2;
          continue;
        }
      } else if (c === SLASH && !this.inExecComment) {
        // Up to `/*M!` is needed to tell an executable comment from a plain one.
        if (i + 3 >= len && !final) return suspend(i);
        if (i + 1 < len && text.charCodeAt(i + 1) === STAR) {
          const c2 = i + 2 < len ? text.charCodeAt(i + 2) : 0;
          const c3 = i + 3 < len ? text.charCodeAt(i + 3) : 0;
          if (c2 === BANG || (c2 === 77 /* M */ && c3 === BANG)) {
            if (!this.hasContent) {
              this.hasContent = true;
              seg = i;
            }
            this.inExecComment = true;
            i += c2 === BANG ? 3 : 4;
            continue;
          }
          this.state = State.BlockComment;
          i += 2;
          continue;
        }
      } else if (c === STAR && this.inExecComment) {
        if (i + 1 >= len && !final) return suspend(i);
        if (i + 1 < len && text.charCodeAt(i + 1) === SLASH) {
          this.inExecComment = false;
          i += 2;
          continue;
        }
      }

      if (!this.hasContent) {
        this.hasContent = true;
        seg = i;
      }
      i++;
    }

    if (this.hasContent && len > seg) this.parts.push(text.slice(seg, len));
  }

  /**
   * At the start of a statement: a `DELIMITER x` line? Returns the index after the line, 'no', or
   * 'more' when the chunk ends before the line does.
   */
  private tryDelimiterCommand(text: string, i: number, final: boolean): number | 'no' | 'more' {
    const kw = 'delimiter';
    const avail = text.length - i;
    if (avail < kw.length + 1) {
      if (final) return 'no';
      return kw.startsWith(text.slice(i).toLowerCase()) ? 'more' : 'no';
    }
    if (text.slice(i, i + kw.length).toLowerCase() !== kw) return 'no';
    const after = text.charCodeAt(i + kw.length);
    if (!(after === 32 || after === 9)) return 'no';
    let eol = i + kw.length;
    while (eol < text.length && text.charCodeAt(eol) !== NL && text.charCodeAt(eol) !== CR) eol++;
    if (eol >= text.length && !final) {
      if (eol - i > MAX_DELIMITER_LINE) throw new OlympiaError(`A DELIMITER line is longer than ${MAX_DELIMITER_LINE} characters.`);
      return 'more';
    }
    const arg = text.slice(i + kw.length, eol).trim();
    const m = /^(?:'([^']+)'|"([^"]+)"|`([^`]+)`|(\S+))/.exec(arg);
    const delim = m ? (m[1] ?? m[2] ?? m[3] ?? m[4]) : undefined;
    if (!delim) throw new OlympiaError('A DELIMITER line names no delimiter.', { hint: 'Write it as "DELIMITER ;;" and switch back with "DELIMITER ;".' });
    if (delim.includes('\\')) throw new OlympiaError(`The delimiter ${JSON.stringify(delim)} contains a backslash, which the mysql client does not allow.`);
    this.delimiter = delim;
    return eol;
  }
}

/** The statement's first non-empty line, shortened for messages. */
export function firstLine(sql: string, max = 120): string {
  const line =
    sql
      .split(/\r?\n/)
      .find((l) => l.trim().length > 0)
      ?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Splits a whole script. */
export function splitSql(text: string): string[] {
  const s = new SqlSplitter();
  return [...s.push(text), ...s.end()];
}

/** Splits a stream of text or bytes (UTF-8) into statements as they complete. */
export async function* splitSqlStream(source: AsyncIterable<string | Buffer | Uint8Array>): AsyncGenerator<string> {
  const splitter = new SqlSplitter();
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    for (const stmt of splitter.push(text)) yield stmt;
  }
  const rest = decoder.end();
  if (rest) for (const stmt of splitter.push(rest)) yield stmt;
  for (const stmt of splitter.end()) yield stmt;
}
