import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FrontMatter, FrontMatterError, readMarkdown, writeMarkdown } from "../src/archive/front-matter";

const anyString = fc.string({ unit: "binary" }).filter((value) => !value.includes("\0"));
// Doubles whose String() reads back as the same number (so not -0, NaN or the infinities).
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => Object.is(Number(String(value)), value)),
);
const anyValue = fc.oneof(anyString, anyNumber, fc.boolean(), fc.constant(null), fc.array(anyString, { maxLength: 4 }));
const anyFrontMatter = fc.dictionary(fc.constantFrom("title", "tags", "a", "B-2", "x_y", "created"), anyValue);
// Bodies that look like front matter or start with line breaks, besides arbitrary text.
const anyBody = fc.oneof(
  anyString,
  fc
    .array(fc.constantFrom("---", "...", "", "\r", "title: x", "  - a", "\ufeff---"), { maxLength: 6 })
    .map((lines) => lines.join("\n")),
);

const file = (...lines: string[]) => lines.join("\n");
const frontMatterOf = (...lines: string[]) => readMarkdown(file("---", ...lines, "---", "")).frontMatter;
const errorOf = (text: string) => {
  try {
    readMarkdown(text);
  } catch (error) {
    if (error instanceof FrontMatterError) return { message: error.message, line: error.line };
    throw error;
  }
  throw new Error("read without a FrontMatterError");
};

describe("front matter, written and read back", () => {
  it("gives back exactly the front matter and the body that were written", () => {
    fc.assert(
      fc.property(anyFrontMatter, anyBody, (frontMatter, body) => {
        expect(readMarkdown(writeMarkdown(frontMatter, body))).toEqual({ frontMatter, body, skipped: [] });
      }),
      { numRuns: 500 },
    );
  });

  it("writes strings double-quoted, arrays as block sequences, other values plain, in the given order", () => {
    const frontMatter: FrontMatter = {
      title: 'Say "hi"\n\u2028\x7f\ud800',
      tags: ["a", "b"],
      aliases: [],
      pinned: true,
      rating: 4.5,
      notebook: null,
    };
    expect(writeMarkdown(frontMatter, "\n# Body\n")).toBe(
      file(
        "---",
        'title: "Say \\"hi\\"\\n\\u2028\\u007f\\ud800"',
        "tags:",
        '  - "a"',
        '  - "b"',
        "aliases: []",
        "pinned: true",
        "rating: 4.5",
        "notebook: null",
        "---",
        "",
        "# Body",
        "",
      ),
    );
  });

  it("refuses keys it cannot write plainly and numbers YAML would not read back", () => {
    expect(() => writeMarkdown({ "my key": "x" }, "")).toThrow(TypeError);
    expect(() => writeMarkdown({ "1st": "x" }, "")).toThrow(TypeError);
    expect(() => writeMarkdown({ rating: Number.NaN }, "")).toThrow(TypeError);
  });
});

describe("front matter written by other apps", () => {
  it("reads an Obsidian note", () => {
    const text = file(
      "---",
      "tags: [a, b]",
      "aliases:",
      "  - x",
      "cssclasses:",
      "- wide",
      "created: 2024-01-02T10:00",
      "publish: true",
      "status:",
      "---",
      "# Heading",
    );
    expect(readMarkdown(text)).toEqual({
      frontMatter: {
        tags: ["a", "b"],
        aliases: ["x"],
        cssclasses: ["wide"],
        created: "2024-01-02T10:00",
        publish: true,
        status: null,
      },
      body: "# Heading",
      skipped: [],
    });
  });

  it("reads a Joplin note, dates staying strings", () => {
    const text = file(
      "---",
      "title: My note",
      "updated: 2024-01-02 10:00:00Z",
      "created: 2024-01-01T09:30:00.000Z",
      "source: https://example.com/a#b",
      "completed?: no",
      "tags:",
      "  - a",
      "  - b",
      "---",
      "",
      "Body",
    );
    expect(readMarkdown(text)).toEqual({
      frontMatter: {
        title: "My note",
        updated: "2024-01-02 10:00:00Z",
        created: "2024-01-01T09:30:00.000Z",
        source: "https://example.com/a#b",
        "completed?": "no",
        tags: ["a", "b"],
      },
      body: "\nBody",
      skipped: [],
    });
  });

  it("skips, and names, keys whose values are YAML beyond the subset, keeping the others", () => {
    const text = file(
      "---",
      "title: Kept",
      "meta:",
      "  author: Jane",
      "  nested:",
      "    deep: 1",
      "summary: |",
      "  line one",
      "",
      "  line two: not a key",
      "folded: >-",
      "  text",
      "point: {x: 1, y: 2}",
      'quote: "starts here',
      '  and ends here"',
      "people:",
      "  - name: Jane",
      "anchor: &a value",
      "tags: [a]",
      "---",
      "body",
    );
    expect(readMarkdown(text)).toEqual({
      frontMatter: { title: "Kept", tags: ["a"] },
      body: "body",
      skipped: ["meta", "summary", "folded", "point", "quote", "people", "anchor"],
    });
  });

  it("reads plain, quoted and flow values as YAML does", () => {
    expect(
      frontMatterOf(
        "yes: true",
        "no: False",
        "tilde: ~",
        "empty:",
        "int: -12",
        "decimal: 1.50",
        "exponent: 1e3",
        "hex: 0x1F",
        "comment: hello # dropped",
        "hash: a#b",
        "colon: Re: meeting",
        'double: "\\t\\/\\x41\\u00e9\\U0001F600\\0\\\\" # dropped',
        "single: 'it''s \\n'",
        "flow: [\"a, b\", 'c', 1, true, ~, ]",
        "none: []",
      ),
    ).toEqual({
      yes: true,
      no: false,
      tilde: null,
      empty: null,
      int: -12,
      decimal: 1.5,
      exponent: 1000,
      hex: "0x1F",
      comment: "hello",
      hash: "a#b",
      colon: "Re: meeting",
      double: "\t/A\u00e9\u{1F600}\0\\",
      single: "it's \\n",
      flow: ["a, b", "c", "1", "true", "~"],
      none: [],
    });
  });

  it("skips blank and comment lines, and keeps the last of duplicate keys", () => {
    expect(frontMatterOf("# a comment", "", "title: first", "tags:", "  # none yet", "title: second")).toEqual({
      title: "second",
      tags: null,
    });
  });

  it("reads quoted keys and plain keys that start with - ? or :", () => {
    expect(frontMatterOf("'y': 1", '"a: b" : two', "-x: 3", "?q: 4", "a:b: 5")).toEqual({
      y: 1,
      "a: b": "two",
      "-x": 3,
      "?q": 4,
      "a:b": 5,
    });
  });

  it("keeps a key named __proto__ as a key", () => {
    const frontMatter = frontMatterOf("__proto__: x");
    expect(Object.hasOwn(frontMatter, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(frontMatter)).toBe(Object.prototype);
  });
});

describe("the shape of the file", () => {
  it("reads CRLF line endings, keeping the body byte for byte", () => {
    const text = "---\r\ntitle: x\r\ntags:\r\n  - a\r\n\r\n---\r\nbody\r\nline\r\n";
    expect(readMarkdown(text)).toEqual({
      frontMatter: { title: "x", tags: ["a"] },
      body: "body\r\nline\r\n",
      skipped: [],
    });
  });

  it("drops a BOM before the front matter, and ends it at ... or at a --- ending the text", () => {
    expect(readMarkdown("\ufeff---\ntitle: x\n...\nbody")).toEqual({
      frontMatter: { title: "x" },
      body: "body",
      skipped: [],
    });
    expect(readMarkdown("---\ntitle: x\n---")).toEqual({ frontMatter: { title: "x" }, body: "", skipped: [] });
  });

  it.each([
    "",
    "# Title\n\n---\ntext",
    "\ufeff# Title",
    " ---\n---\n",
    "----\n---\n",
    "---",
    "text\n---\ntitle: x\n---\n",
  ])("reads %j as a body without front matter", (text) => {
    expect(readMarkdown(text)).toEqual({ frontMatter: {}, body: text, skipped: [] });
  });

  it("refuses front matter that is never closed", () => {
    expect(errorOf("---\ntitle: x\n\nbody\n")).toMatchObject({ line: 1 });
  });

  it("refuses a line that is not `key: value`, with its line number", () => {
    expect(errorOf(file("---", "title: x", "just text", "---", ""))).toMatchObject({ line: 3 });
    expect(errorOf(file("---", "title: x", "- stray item", "---", ""))).toMatchObject({ line: 3 });
    expect(errorOf(file("---", "  indented: x", "---", ""))).toMatchObject({ line: 2 });
    expect(errorOf(file("---", "", "key:value", "---", ""))).toMatchObject({ line: 3 });
  });

  it("refuses invalid escapes and malformed values, with their line number", () => {
    expect(errorOf(file("---", "title: x", 'bad: "a\\q"', "---", ""))).toEqual({
      message: "invalid escape \\q in a string",
      line: 3,
    });
    expect(errorOf(file("---", 'bad: "\\x4"', "---", ""))).toMatchObject({ line: 2 });
    expect(errorOf(file("---", 'bad: "\\U00110000"', "---", ""))).toMatchObject({ line: 2 });
    expect(errorOf(file("---", "tags:", '  - "a\\q"', "---", ""))).toMatchObject({ line: 3 });
    expect(errorOf(file("---", 'bad: "open', "---", ""))).toMatchObject({ line: 2 });
    expect(errorOf(file("---", 'bad: "a" b', "---", ""))).toMatchObject({ line: 2 });
    expect(errorOf(file("---", "bad: [a, b", "---", ""))).toMatchObject({ line: 2 });
    expect(errorOf(file("---", "bad: [a,, b]", "---", ""))).toMatchObject({ line: 2 });
  });
});
