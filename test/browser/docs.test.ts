import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { CHROMIUM } from "./chromium.ts";

// The docs pages as a person uses them, in Debian's chromium, offline: every request that is not to the
// local API is blocked and fails the test, as does any console error, uncaught exception or CSP violation.
const apiUrl = inject("apiUrl");
const screenshots = fileURLToPath(new URL("screenshots/", import.meta.url));

let browser: Browser;
let context: BrowserContext;
/** Everything that went wrong in the current test's page. */
let problems: string[];

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM });
});
afterAll(async () => {
  await browser?.close();
});
// Checked after every test, so none can forget it.
afterEach(async () => {
  try {
    expect(problems).toEqual([]);
  } finally {
    await context?.close();
  }
});

/** A fresh browser profile that can reach the local API and nothing else. */
async function offlinePage(): Promise<Page> {
  problems = [];
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === apiUrl) return route.continue();
    problems.push(`request blocked: ${url}`);
    return route.abort("blockedbyclient");
  });
  await context.exposeFunction("reportViolation", (violation: string) => problems.push(`CSP violation: ${violation}`));
  // Runs in each page before its own scripts (as text: this file is compiled without the DOM's types).
  await context.addInitScript({
    content: `document.addEventListener("securitypolicyviolation", (event) =>
      reportViolation(event.effectiveDirective + " blocked " + (event.blockedURI || "inline") +
        " (" + event.sourceFile + ":" + event.lineNumber + ")"));`,
  });
  const page = await context.newPage();
  // Fail with the step that waited, well before the test's own timeout.
  page.setDefaultTimeout(15_000);
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  return page;
}

async function register(): Promise<{ email: string; password: string }> {
  const account = { email: `docs-${randomUUID()}@example.com`, password: "correct horse battery staple" };
  const response = await fetch(`${apiUrl}/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(account),
  });
  expect(response.status).toBe(201);
  return account;
}

/** Opens an operation in Swagger UI, runs "Try it out" with `body` if given, and reads the answer it shows. */
async function tryItOut(
  page: Page,
  method: string,
  path: string,
  body?: object,
): Promise<{ status: string; body: unknown; shown: Locator }> {
  const operation = page.locator(`.opblock-${method}`, {
    has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
  });
  await operation.locator(".opblock-summary").click();
  await operation.getByRole("button", { name: "Try it out" }).click();
  if (body) await operation.locator("textarea.body-param__text").fill(JSON.stringify(body));
  await operation.getByRole("button", { name: "Execute" }).click();
  const shown = operation.locator(".live-responses-table .response");
  await shown.waitFor();
  return {
    status: (await shown.locator(".response-col_status").textContent()) ?? "",
    body: JSON.parse((await shown.locator(".response-col_description pre").first().textContent()) ?? ""),
    shown,
  };
}

describe("/docs (Swagger UI)", () => {
  it("signs in through Authorize and runs Try it out, offline", async () => {
    const account = await register();
    const page = await offlinePage();
    await page.goto(`${apiUrl}/docs`);
    await page.locator(".info .title", { hasText: "Cloud Notes API" }).waitFor();

    await page.locator("button.authorize").click();
    const oauth = page.locator(".auth-container", { hasText: "OAuth2Password" });
    await oauth.locator("#oauth_username").fill(account.email);
    await oauth.locator("#oauth_password").fill(account.password);
    await oauth.getByRole("button", { name: "Apply given OAuth2 credentials" }).click();
    // Signed in: the form gives way to the account it signed in and a Logout button.
    await oauth.locator("button", { hasText: "Logout" }).waitFor();
    const signedIn = await oauth.innerText();
    expect(signedIn).toContain("Authorized");
    expect(signedIn).toContain(`username: ${account.email}`);
    await page.screenshot({ path: `${screenshots}docs-authorized.png` });
    await oauth.getByRole("button", { name: "Close" }).click();

    const me = await tryItOut(page, "get", "/v1/users/me");
    expect(me).toMatchObject({ status: "200", body: { email: account.email } });

    const note = { title: `Written in Swagger UI ${randomUUID()}`, content: "Offline, under a strict CSP." };
    const created = await tryItOut(page, "post", "/v1/notes", note);
    expect(created).toMatchObject({ status: "201", body: { ...note, role: "owner" } });
    await created.shown.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${screenshots}docs-try-it-out.png` });

    // persistAuthorization: after a reload, still signed in.
    await page.reload();
    expect(await tryItOut(page, "get", "/v1/users/me")).toMatchObject({
      status: "200",
      body: { email: account.email },
    });
  });
});

describe("/redoc (ReDoc)", () => {
  it("shows the API and searches it, offline", async () => {
    const page = await offlinePage();
    await page.goto(`${apiUrl}/redoc`);
    await page.locator("h1", { hasText: "Cloud Notes API" }).waitFor();
    // The operations are there, each under its summary.
    await page.locator("h2", { hasText: "The signed-in user" }).waitFor();
    // The search index lives in a worker started from a blob: URL, which the page's policy allows.
    await page.getByPlaceholder("Search...").fill("signed-in user");
    await page.locator('[data-role="search:results"] li', { hasText: "The signed-in user" }).first().waitFor();
    await page.screenshot({ path: `${screenshots}redoc.png` });
  });
});
