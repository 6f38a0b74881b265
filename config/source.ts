/**
 * The reader's line source: a stack of frames (files, in the order they are read, and lines
 * injected by ~SEQ or multi-line definitions). `next()` fills the public fields of the source
 * instead of allocating a line object, so reading 300k lines stays cheap.
 */

export interface Injected {
  text: string;
  /** Define this name before the line is processed (a ~SEQ variable). */
  define?: [string, string];
}

interface Frame {
  file: string;
  depth: number;
  pos: number;
  /** A file frame: its lines once loaded (undefined until first read). */
  lines?: string[];
  /** A file frame not loaded yet. */
  path?: string;
  /** Where the include was written (for "cannot read" messages). */
  from?: { file: string; line: number };
  /** An injected frame: already decommented lines, all reported at `line`. */
  items?: Injected[];
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

  constructor(
    private readonly load: (path: string, from?: { file: string; line: number }) => string[] | undefined,
  ) {}

  /** Files are read lazily, when the reader gets to them, so `files` keeps the reading order. */
  pushFile(path: string, depth: number, from?: { file: string; line: number }): void {
    this.frames.push({ file: path, depth, pos: 0, path, line: 0, ...(from ? { from } : {}) });
  }

  pushInjected(items: Injected[], file: string, line: number, depth: number, tag?: string): void {
    if (items.length) this.frames.push({ file, depth, pos: 0, items, line, ...(tag ? { tag } : {}) });
  }

  /** True while the lines of multi-line definition `tag` are being read (a use inside itself). */
  expanding(tag: string): boolean {
    return this.frames.some((f) => f.tag === tag && f.items !== undefined && f.pos <= f.items.length);
  }

  /** Files loaded so far (for the include budget). */
  loads = 0;

  next(): boolean {
    for (;;) {
      const f = this.frames[this.frames.length - 1];
      if (!f) return false;
      if (f.path !== undefined) {
        const path = f.path;
        f.path = undefined;
        this.loads++;
        f.lines = this.load(path, f.from) ?? [];
      }
      if (f.items) {
        const it = f.items[f.pos++];
        if (!it) {
          this.frames.pop();
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
      const lines = f.lines!;
      if (f.pos >= lines.length) {
        this.frames.pop();
        continue;
      }
      this.text = lines[f.pos]!;
      this.line = ++f.pos;
      this.file = f.file;
      this.depth = f.depth;
      this.processed = false;
      this.define = undefined;
      return true;
    }
  }
}
