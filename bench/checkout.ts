import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * The checkout a comparison runs against: a directory holding one as it is (an experiment), or a
 * throwaway worktree of a commit sharing this checkout's node_modules. `remove()` cleans up after.
 */
export function baselineCheckout(ref: string): { dir: string; remove: () => void } {
  if (existsSync(join(ref, "wrangler.toml"))) return { dir: ref, remove: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "cloud-notes-baseline-"));
  rmSync(dir, { recursive: true });
  execFileSync("git", ["worktree", "add", "--detach", dir, ref], { cwd: root, stdio: "ignore" });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return {
    dir,
    remove: () => {
      execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: root });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
