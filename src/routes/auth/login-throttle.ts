import { Problem, problemType } from "../../lib/problem";

/** 429 while an email address is locked after repeated wrong passwords. */
export function lockedProblem(lockedUntil: Date): Problem {
  const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 1000));
  return new Problem(429, {
    type: problemType("too-many-failed-sign-ins"),
    detail: `Too many wrong passwords for this account; try again in ${seconds} seconds.`,
    headers: { "Retry-After": String(seconds) },
  });
}

export function throwIfLocked(lockedUntil: Date | string | null | undefined): void {
  if (!lockedUntil) return;
  const until = new Date(lockedUntil);
  if (until.getTime() > Date.now()) throw lockedProblem(until);
}
