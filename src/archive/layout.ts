// Where each note and attachment goes in an export: a folder of Markdown that Obsidian and Joplin open
// as it is. Loose notes at the top, a folder per notebook, attachments under ATTACHMENTS_FOLDER by note.
// Names come from titles and filenames, so they are made safe on every file system the zip may be
// unpacked on (Windows is the strictest) and unique without regard to case (macOS, Windows).

export const MANIFEST_PATH = "manifest.json";
export const ATTACHMENTS_FOLDER = "_attachments";

const MAX_SEGMENT = 100;
// Characters Windows refuses in names, controls, and bidirectional overrides that disguise extensions.
const UNSAFE = /[<>:"/\\|?*\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/** A name usable as one path segment anywhere: no separators or controls, no leading dot, not reserved. */
export function safeSegment(name: string, fallback: string): string {
  const cleaned = [...name.normalize("NFC").replace(UNSAFE, "_").trim()]
    .slice(0, MAX_SEGMENT)
    .join("")
    .replace(/[. ]+$/, "")
    .replace(/^\.+/, "");
  if (cleaned === "") return fallback;
  return RESERVED.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** `stem.ext`, `stem (2).ext`, …: the first that `taken` (lower-cased paths) does not hold yet, then taken. */
function claim(taken: Set<string>, folder: string, stem: string, extension: string): string {
  for (let copy = 1; ; copy++) {
    const name = copy === 1 ? `${stem}${extension}` : `${stem} (${copy})${extension}`;
    const path = folder === "" ? name : `${folder}/${name}`;
    if (!taken.has(path.toLowerCase())) {
      taken.add(path.toLowerCase());
      return path;
    }
  }
}

/** Splits `report.final.pdf` into `report.final` and `.pdf`; a name without a dot has no extension. */
function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? [name, ""] : [name.slice(0, dot), name.slice(dot)];
}

/** Paths for one export, handed out in the order notes are written; every path is unique. */
export class ArchiveLayout {
  private readonly taken = new Set([MANIFEST_PATH, ATTACHMENTS_FOLDER].map((path) => path.toLowerCase()));
  private readonly folders = new Map<string, string>();

  /** The folder of a notebook (the same one for every note in it); loose notes live at the top. */
  folderOf(notebook: { id: string; name: string } | null): string {
    if (!notebook) return "";
    let folder = this.folders.get(notebook.id);
    if (folder === undefined) {
      folder = claim(this.taken, "", safeSegment(notebook.name, "Notebook"), "");
      this.folders.set(notebook.id, folder);
    }
    return folder;
  }

  notePath(folder: string, title: string): string {
    return claim(this.taken, folder, safeSegment(title, "Untitled"), ".md");
  }

  attachmentPath(noteId: string, filename: string): string {
    const [stem, extension] = splitExtension(safeSegment(filename, "attachment"));
    return claim(this.taken, `${ATTACHMENTS_FOLDER}/${noteId}`, stem, extension);
  }
}

/** `target` as a link from the file at `from`: both are archive paths. */
export function relativePath(from: string, target: string): string {
  const depth = from.split("/").length - 1;
  return `${"../".repeat(depth)}${target}`;
}

/** The archive path a link in the file at `from` points at, or undefined when it leaves the archive. */
export function resolvePath(from: string, link: string): string | undefined {
  const segments = from.split("/").slice(0, -1);
  for (const segment of link.replaceAll("\\", "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) return undefined;
      segments.pop();
    } else segments.push(segment);
  }
  return segments.length === 0 ? undefined : segments.join("/");
}
