import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { workerLogger } from "../src/lib/log";
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "../src/lib/password";
import { captureLogs } from "./support/logs";

const pepper = env.PASSWORD_PEPPER;
const log = workerLogger(env);

describe("password hashing", () => {
  const logs = captureLogs();
  it("uses at most 100,000 PBKDF2 iterations: production Workers refuse more, local workerd does not", () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
    expect(PBKDF2_ITERATIONS).toBe(100_000);
  });

  it("stores a self-describing hash with a fresh 16-byte salt each time", async () => {
    const first = await hashPassword("correct horse", pepper);
    const second = await hashPassword("correct horse", pepper);
    expect(first).toMatch(/^\$pbkdf2-sha256\$v=1,i=100000\$[\w-]{22}\$[\w-]{43}$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword("correct horse", first, pepper, log)).toEqual({ valid: true, needsRehash: false });
    expect((await verifyPassword("correct horsE", first, pepper, log)).valid).toBe(false);
  });

  it("is keyed with the pepper: the same hash fails under another pepper", async () => {
    const stored = await hashPassword("correct horse", pepper);
    expect((await verifyPassword("correct horse", stored, `${pepper}-other`, log)).valid).toBe(false);
  });

  it("treats canonically equal Unicode the same (NFC)", async () => {
    const composed = "caf\u00e9 au lait";
    const decomposed = "cafe\u0301 au lait";
    const stored = await hashPassword(composed, pepper);
    expect((await verifyPassword(decomposed, stored, pepper, log)).valid).toBe(true);
  });

  it("asks for a re-hash when the stored iteration count is lower than today's", async () => {
    const weak = await hashPassword("correct horse", pepper, 1_000);
    expect(await verifyPassword("correct horse", weak, pepper, log)).toEqual({ valid: true, needsRehash: true });
  });

  it("refuses, without computing, a stored count above the cap, and unknown formats", async () => {
    const tooMany = (await hashPassword("correct horse", pepper)).replace("i=100000", "i=200000");
    expect(await verifyPassword("correct horse", tooMany, pepper, log)).toEqual({ valid: false, needsRehash: false });
    expect((await verifyPassword("x", "plaintext", pepper, log)).valid).toBe(false);
    expect((await verifyPassword("x", "$bcrypt$whatever", pepper, log)).valid).toBe(false);
    expect(logs.errors("password hash in an unsupported format")).toHaveLength(3);
  });
});
