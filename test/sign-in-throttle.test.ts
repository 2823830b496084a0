import { describe, expect, it } from "vitest";
import { PER_EMAIL, PER_NETWORK } from "../src/db/queries/password-guesses";
import { authed, form, json, PASSWORD, register, signUp, uniqueIp } from "./support/accounts";
import { api } from "./support/api";
import { expectProblem } from "./support/problem";

// Guessing stays slow, and nobody but the owner decides whether the owner can get in.
const signInFrom = (network: string, email: string, password: string) =>
  api("/v1/auth/token", form({ grant_type: "password", username: email, password }, network));

async function exhaustNetwork(network: string, email: string) {
  for (let i = 0; i < PER_NETWORK.free; i++) {
    expect((await signInFrom(network, email, "a wrong guess")).status).toBe(400);
  }
  expect((await signInFrom(network, email, "a wrong guess")).status).toBe(429);
}

describe("the sign-in throttle", () => {
  it("locks the guessing network only: the owner signs in from another", async () => {
    const { email } = await register();
    const attacker = uniqueIp();
    await exhaustNetwork(attacker, email);
    expect((await signInFrom(attacker, email, PASSWORD)).status).toBe(429);
    expect((await signInFrom(uniqueIp(), email, PASSWORD)).status).toBe(200);
  });

  it("stops networks the owner never used once the email has too many failures, but not the owner's", async () => {
    const { email } = await register();
    const ownersNetwork = uniqueIp();
    expect((await signInFrom(ownersNetwork, email, PASSWORD)).status).toBe(200);
    // A distributed attack: each network stays under its own limit, together they reach the email's.
    const networks = PER_EMAIL.free / PER_NETWORK.free;
    for (let n = 0; n < networks; n++) {
      const network = uniqueIp();
      for (let i = 0; i < PER_NETWORK.free; i++) await signInFrom(network, email, "a wrong guess");
    }
    const fresh = await signInFrom(uniqueIp(), email, "a wrong guess");
    expect((await expectProblem(fresh, 429)).type).toBe("urn:cloud-notes:problem:too-many-failed-sign-ins");
    expect((await signInFrom(uniqueIp(), email, PASSWORD)).status).toBe(429);
    expect((await signInFrom(ownersNetwork, email, PASSWORD)).status).toBe(200);
  });
});

describe("confirming the password while signed in", () => {
  const change = (current: string, next: string) => json({ currentPassword: current, newPassword: next });

  it("is never blocked by sign-in guesses at the account", async () => {
    const { email, tokens } = await signUp();
    for (let n = 0; n < 3; n++) await exhaustNetwork(uniqueIp(), email);
    const changed = await authed(
      tokens.access_token,
      "/v1/users/me/password",
      change(PASSWORD, "a brand new password"),
    );
    expect(changed.status).toBe(200);
  });

  it("has a limit of its own per user, which sign-in does not share", async () => {
    const { email, tokens } = await signUp();
    const confirmWrong = () =>
      authed(tokens.access_token, "/v1/users/me/password", change("a wrong guess", "a new one!!"));
    for (let i = 0; i < PER_NETWORK.free; i++) expect((await confirmWrong()).status).toBe(403);
    const locked = await expectProblem(await confirmWrong(), 429);
    expect(locked.type).toBe("urn:cloud-notes:problem:too-many-failed-sign-ins");
    expect((await signInFrom(uniqueIp(), email, PASSWORD)).status).toBe(200);
  });
});
