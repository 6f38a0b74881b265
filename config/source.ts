/**
 * The reader's line source: a stack of frames (files, in the order they are read; lines injected
 * by multi-line definitions; ~SEQ repetitions, generated one value at a time). `next()` fills the
 * public fields of the source instead of allocating a line object, and files are cut into lines
 * as they are read (no array of every line), so a large config costs little more than its text.
 */

import { normalize } from './paths.js';

export interface Injected {
  text: string;
  /** Define this name before the line is processed (a ~SEQ variable). */
  define?: [string, string];
}

/** A ~SEQ repetition: `rest` once per value, with `variable` defined to the value. */
export interface SeqRun {
  variable: string;
  start: number;
  step: number;
  count: number;
  hex: boolean;
  rest: string;
}

interface Frame {
  file: string;
  depth: number;
  /** File frames: the text once loaded, the offset of the next line and the number of the last line. */
  text?: string;
  pos: number;
  lineNo: number;
  /** A file frame not loaded yet. */
  path?: string;
  /** File frames: the normalised path (include loop detection). */
  key?: string;
  /** Where the include was written (for "cannot read" messages). */
  from?: { file: string; line: number };
  /** An injected frame: already decommented lines, all reported at `line`. */
  items?: Injected[];
  /** A ~SEQ frame: the values still to generate. */
  seq?: SeqRun;
  /** The multi-line definition an injected frame expands. */
  tag?: string;
  line: number;
}

export class LineSource {
  private readonly frames: Frame[] = [];
  /** Filled by next(). */
  text = '';
  file = '';
  line = 0;
  depth = 0;
  processed = false;
  define: [string, string] | undefined;
  /** Set by next() when the physical line is longer than `maxLineLength`: `text` is then empty. */
  tooLong = 0;
  /** Files loaded so far, and file frames pushed (loaded or waiting), for the include budget. */
  loads = 0;
  pushed = 0;
  /** Normalised paths of the files being read (loaded frames still on the stack), with a count. */
  private readonly active = new Map<string, number>();

  constructor(
    private readonly load: (path: string, from?: { file: string; line: number }) => string | undefined,
    private readonly maxLineLength = Infinity,
  ) {}

  /** Files are read lazily, when the reader gets to them, so `files` keeps the reading order. */
  pushFile(path: string, depth: number, from?: { file: string; line: number }): void {
    this.pushed++;
    this.frames.push({ file: path, depth, pos: 0, lineNo: 0, path, key: normalize(path), line: 0, ...(from ? { from } : {}) });
  }

  pushInjected(items: Injected[], file: string, line: number, depth: number, tag?: string): void {
    if (items.length) this.frames.push({ file, depth, pos: 0, lineNo: 0, items, line, ...(tag ? { tag } : {}) });
  }

  pushSeq(seq: SeqRun, file: string, line: number, depth: number): void {
    if (seq.count > 0) this.frames.push({ file, depth, pos: 0, lineNo: 0, seq: { ...seq }, line });
  }

  /** True while the lines of multi-line definition `tag` are being read (a use inside itself). */
  expanding(tag: string): boolean {
    return this.frames.some((f) => f.tag === tag && f.items !== undefined && f.pos <= f.items.length);
  }

  /** True when `path` is being read (an ancestor of the current line: including it again loops). */
  reading(path: string): boolean {
    return (this.active.get(normalize(path)) ?? 0) > 0;
  }

  /** The file frames being read, outermost first (the include chain of the current line). */
  chain(): string[] {
    return this.frames.filter((f) => f.text !== undefined).map((f) => f.file);
  }

  private pop(): void {
    const f = this.frames.pop();
    if (f?.key !== undefined && f.text !== undefined) this.active.set(f.key, (this.active.get(f.key) ?? 1) - 1);
  }

  next(): boolean {
    for (;;) {
      const f = this.frames[this.frames.length - 1];
      if (!f) return false;
      this.tooLong = 0;
      if (f.path !== undefined) {
        const path = f.path;
        f.path = undefined;
        this.loads++;
        f.text = this.load(path, f.from) ?? '';
        this.active.set(f.key!, (this.active.get(f.key!) ?? 0) + 1);
      }
      if (f.seq) {
        const s = f.seq;
        if (s.count <= 0) {
          this.pop();
          continue;
        }
        const v = s.start;
        s.start += s.step;
        s.count--;
        this.text = s.rest;
        this.file = f.file;
        this.line = f.line;
        this.depth = f.depth;
        this.processed = true;
        this.define = [s.variable, s.hex ? v.toString(16) : String(v)];
        return true;
      }
      if (f.items) {
        const it = f.items[f.pos++];
        if (!it) {
          this.pop();
          continue;
        }
        this.text = it.text;
        this.file = f.file;
        this.line = f.line;
        this.depth = f.depth;
        this.processed = true;
        this.define = it.define;
        return true;
      }
      const text = f.text!;
      if (f.pos > text.length) {
        this.pop();
        continue;
      }
      let end = text.indexOf('\n', f.pos);
      if (end < 0) end = text.length;
      if (end - f.pos > this.maxLineLength) {
        this.tooLong = end - f.pos;
        this.text = '';
      } else {
        this.text = text.slice(f.pos, end);
      }
      f.pos = end + 1;
      this.line = ++f.lineNo;
      this.file = f.file;
      this.depth = f.depth;
      this.processed = false;
      this.define = undefined;
      return true;
    }
  }
}
