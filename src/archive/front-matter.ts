// Markdown with YAML front matter, without a YAML library (bundle size). We write one fixed shape that
// any YAML 1.2 parser reads as we mean it, and read the subset Obsidian and Joplin write. A key whose
// value is valid YAML beyond that subset is skipped and reported rather than guessed at, so one odd
// property never refuses a whole file; text that is not YAML at all is refused with its line.

/** A value in front matter: what we write and what we read back. */
export type FrontMatterValue = string | number | boolean | null | string[];
export type FrontMatter = Record<string, FrontMatterValue>;

export class FrontMatterError extends Error {
  override name = "FrontMatterError";
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(message);
    this.line = line;
  }
}

/** What a Markdown file holds: its front matter, its body, and the keys whose values we could not read. */
export interface MarkdownFile {
  frontMatter: FrontMatter;
  body: string;
  skipped: string[];
}

const WRITABLE_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** `---`, one `key: value` per entry (strings double-quoted, string arrays as block sequences), `---`, the body. */
export function writeMarkdown(frontMatter: FrontMatter, body: string): string {
  const entries = Object.entries(frontMatter).map(([key, value]) => {
    if (!WRITABLE_KEY.test(key)) throw new TypeError(`front matter key ${JSON.stringify(key)} is not writable`);
    if (!Array.isArray(value)) return `${key}: ${writeScalar(value)}\n`;
    if (value.length === 0) return `${key}: []\n`;
    return `${key}:\n${value.map((item) => `  - ${writeString(item)}\n`).join("")}`;
  });
  return `---\n${entries.join("")}---\n${body}`;
}

function writeScalar(value: string | number | boolean | null): string {
  if (typeof value === "string") return writeString(value);
  if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`${value} is not writable`);
  return String(value);
}

// JSON's escaping (lone surrogates included) is valid in a YAML double-quoted scalar. YAML also wants DEL,
// the C1 controls, U+FFFE/U+FFFF escaped (not printable), and NEL, LS, PS (line breaks to YAML 1.1
// readers) and the BOM (not allowed inside a document).
function writeString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

interface Line {
  text: string;
  number: number;
}

/** The inverse of writeMarkdown, and the reader of front matter other apps write. */
export function readMarkdown(text: string): MarkdownFile {
  const start = text.startsWith("\ufeff") ? 1 : 0;
  const opening = /^---\r?\n/.exec(text.slice(start, start + 5));
  if (!opening) return { frontMatter: {}, body: text, skipped: [] };
  const lines: Line[] = [];
  let position = start + opening[0].length;
  while (position < text.length) {
    const newline = text.indexOf("\n", position);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(position, end).replace(/\r$/, "");
    position = end + 1;
    if (line === "---" || line === "...") return { ...readBlock(lines), body: text.slice(position) };
    lines.push({ text: line, number: lines.length + 2 });
  }
  throw new FrontMatterError("the front matter is never closed by a --- line", 1);
}

interface Entry {
  key: string;
  /** What follows the colon, trimmed. */
  inline: string;
  line: number;
  /** The indented lines below it (and, under an empty value, `- item` lines at column 0). */
  continuation: Line[];
}

// A plain key (no indicator first, but `-x` is fine), up to the first colon followed by a space or the
// line's end (`a:b: c` is key `a:b`).
const KEY_LINE = /^((?:[^\s\-?:,[\]{}#&*!|>'"%@`]|[-?:]\S).*?)[ \t]*:(?:[ \t]+(.*))?$/;

function readBlock(lines: Line[]): Omit<MarkdownFile, "body"> {
  const entries: Entry[] = [];
  for (const line of lines) {
    const content = line.text.trim();
    if (content === "" || content.startsWith("#")) continue;
    const last = entries.at(-1);
    const indented = /^[ \t]/.test(line.text);
    if (last && (indented || (isEmpty(last.inline) && /^-([ \t]|$)/.test(line.text)))) {
      last.continuation.push(line);
      continue;
    }
    const keyLine = readKeyLine(line);
    if (!keyLine)
      throw new FrontMatterError(indented ? "unexpected indentation" : "expected `key: value`", line.number);
    entries.push({ ...keyLine, line: line.number, continuation: [] });
  }
  // The last of duplicate keys wins, whether it was read or skipped.
  const values = new Map(entries.map((entry) => [entry.key, readValue(entry)] as const));
  const read = [...values].filter((entry): entry is [string, FrontMatterValue] => entry[1] !== undefined);
  const skipped = [...values].filter(([, value]) => value === undefined).map(([key]) => key);
  // fromEntries defines properties, so a key `__proto__` stays a key.
  return { frontMatter: Object.fromEntries(read), skipped };
}

/** A `key: value` line's key and trimmed value; keys may be quoted (`'y': 1`, `"a: b": 2`). */
function readKeyLine({ text, number }: Line): Pick<Entry, "key" | "inline"> | undefined {
  if (!isQuoted(text)) {
    const match = KEY_LINE.exec(text);
    return match ? { key: match[1] ?? "", inline: (match[2] ?? "").trim() } : undefined;
  }
  const key = readQuoted(text, number);
  const match = /^[ \t]*:(?:[ \t]+(.*))?$/.exec(text.slice(key.end));
  return match ? { key: key.value, inline: (match[1] ?? "").trim() } : undefined;
}

const isEmpty = (inline: string) => inline === "" || inline.startsWith("#");
const isQuoted = (inline: string) => inline.startsWith('"') || inline.startsWith("'");

/** A key's value, or undefined when it is YAML this subset does not read. */
function readValue({ inline, line, continuation }: Entry): FrontMatterValue | undefined {
  if (isEmpty(inline)) return continuation.length === 0 ? null : readBlockSequence(continuation);
  // Block scalars, flow mappings, anchors, aliases, tags; and any value spread over several lines.
  if (continuation.length > 0 || /^[|>{&*!@`]/.test(inline)) return undefined;
  if (inline.startsWith("[")) return readFlowSequence(inline, line);
  return isQuoted(inline) ? readQuotedScalar(inline, line) : readPlainScalar(withoutComment(inline));
}

function readBlockSequence(lines: Line[]): string[] | undefined {
  const indent = /^[ \t]*/.exec(lines[0]?.text ?? "")?.[0];
  const items: string[] = [];
  for (const { text, number } of lines) {
    const match = /^([ \t]*)-(?:[ \t]+(.*))?$/.exec(text);
    if (!match || match[1] !== indent) return undefined;
    const item = readItem((match[2] ?? "").trim(), number);
    if (item === undefined) return undefined;
    items.push(item);
  }
  return items;
}

function readFlowSequence(inline: string, line: number): string[] | undefined {
  const items: string[] = [];
  let rest = inline.slice(1).trimStart();
  while (!rest.startsWith("]")) {
    const end = isQuoted(rest) ? readQuoted(rest, line).end : rest.search(/[,\]]/);
    if (end === -1) throw new FrontMatterError("the flow sequence is never closed by ]", line);
    const item = readItem(rest.slice(0, end).trim(), line);
    if (item === undefined) return undefined;
    if (item === "" && !isQuoted(rest)) throw new FrontMatterError("empty item in a flow sequence", line);
    items.push(item);
    rest = rest.slice(end).trimStart();
    if (rest.startsWith(",")) rest = rest.slice(1).trimStart();
    else if (!rest.startsWith("]")) throw new FrontMatterError("expected , or ] in a flow sequence", line);
  }
  if (!/^\](\s+#.*)?\s*$/.test(rest)) throw new FrontMatterError("unexpected text after a flow sequence", line);
  return items;
}

/** A sequence item as a string: quoted items decoded, plain ones as written (`1.0` stays "1.0"). */
function readItem(source: string, line: number): string | undefined {
  if (isQuoted(source)) return readQuotedScalar(source, line);
  const text = withoutComment(source);
  // Nested sequences and mappings, block scalars, anchors, aliases, tags.
  return /^[[{|>&*!@`]|^-(\s|$)|:(\s|$)/.test(text) ? undefined : text;
}

const withoutComment = (source: string) => source.replace(/(^|\s)#.*$/, "").trim();

function readPlainScalar(text: string): string | number | boolean | null {
  if (/^(|~|null|Null|NULL)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  // YAML 1.2's core schema numbers, minus .inf, .nan, 0x and 0o (strings here).
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

function readQuotedScalar(source: string, line: number): string {
  const { value, end } = readQuoted(source, line);
  if (!/^(\s+#.*)?\s*$/.test(source.slice(end))) throw new FrontMatterError("unexpected text after a string", line);
  return value;
}

const ESCAPES: Record<string, string> = {
  ...{ "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b" },
  ...{ " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029" },
};
const HEX_ESCAPE_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The quoted scalar `source` starts with: its value and the index after its closing quote. */
function readQuoted(source: string, line: number): { value: string; end: number } {
  const quote = source[0];
  let value = "";
  for (let index = 1; index < source.length; index++) {
    const char = source[index] ?? "";
    if (char === quote && quote === "'" && source[index + 1] === "'") {
      value += "'";
      index++;
    } else if (char === quote) {
      return { value, end: index + 1 };
    } else if (char === "\\" && quote === '"') {
      const escaped = readEscape(source, index + 1, line);
      value += escaped.value;
      index = escaped.end - 1;
    } else {
      value += char;
    }
  }
  throw new FrontMatterError("the string is never closed by its quote", line);
}

/** The escape whose letter is at `at`: what it stands for and the index after it. */
function readEscape(source: string, at: number, line: number): { value: string; end: number } {
  const letter = source[at] ?? "";
  if (Object.hasOwn(ESCAPES, letter)) return { value: ESCAPES[letter] ?? "", end: at + 1 };
  const digits = HEX_ESCAPE_DIGITS[letter] ?? 0;
  const hex = source.slice(at + 1, at + 1 + digits);
  const code = Number.parseInt(hex, 16);
  // Surrogates on their own are allowed: writeMarkdown escapes lone ones this way.
  if (digits > 0 && /^[0-9a-fA-F]+$/.test(hex) && hex.length === digits && code <= 0x10ffff) {
    return { value: String.fromCodePoint(code), end: at + 1 + digits };
  }
  throw new FrontMatterError(`invalid escape \\${letter} in a string`, line);
}
