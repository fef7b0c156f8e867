/**
 * Fenced code blocks of a Markdown file, with where they are and what their info string says.
 *
 * @module
 */

/** One fenced code block. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository (`README.md`, `examples/x/README.md`). */
  file: string;
  /** The 1-based line of the opening fence. */
  line: number;
  /** The language word of the info string (`ts`, `js`, `sh`, `toml`), lower case. */
  lang: string;
  /** The whole info string (`ts ignore (a fragment)`). */
  info: string;
  /** The block's text, without the fences, with its indentation removed. */
  code: string;
  /** The heading the block sits under (`### Hono — @x/ws-transport/hono`). */
  heading: string;
}

/** `file:line`, for messages and test names. */
export function where(block: CodeBlock): string {
  return `${block.file}:${block.line}`;
}

/**
 * Every fenced (```) code block of `markdown`, in order; blocks indented inside list items
 * included (their indentation is removed). `file` is recorded in each block.
 */
export function codeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = /^(\s*)```(\S.*)?$/.exec(line);
    if (!open) {
      if (/^#{1,6} /.test(line)) heading = line.trim();
      continue;
    }
    const indent = open[1]!.length;
    const info = (open[2] ?? "").trim();
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) {
      body.push(lines[j]!.slice(Math.min(indent, /^\s*/.exec(lines[j]!)![0].length)));
    }
    if (j === lines.length) throw new SyntaxError(`${file}:${i + 1}: a code block is never closed`);
    blocks.push({
      file,
      line: i + 1,
      lang: (info.split(/\s+/)[0] ?? "").toLowerCase(),
      info,
      code: body.join("\n") + "\n",
      heading,
    });
    i = j;
  }
  return blocks;
}
