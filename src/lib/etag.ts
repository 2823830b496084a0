// Strong ETags made from a resource's version: "v<version>".

export const etagFor = (version: number) => `"v${version}"`;

const STRONG = /^"v(\d{1,9})"$/;

/**
 * The versions an If-Match header accepts: undefined without the header, "any" for `*`. Weak tags
 * never match (If-Match uses strong comparison), so a list of only weak tags accepts nothing.
 */
export function ifMatchVersions(header: string | undefined): number[] | "any" | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "any";
  return header
    .split(",")
    .map((tag) => STRONG.exec(tag.trim())?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number);
}

/** If-None-Match uses weak comparison: W/"v3" matches "v3"; `*` matches anything that exists. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/** If-Match as the versions a statement must see: undefined when any will do (no header, or `*`). */
export function requiredVersions(header: string | undefined): number[] | undefined {
  const versions = ifMatchVersions(header);
  return versions === "any" ? undefined : versions;
}
