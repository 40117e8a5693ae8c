// The mock Cognito user pool in a real browser: Debian's Chromium, driven by
// playwright-core, one browser context (one set of cookies) through three steps:
//
//   1. signed-in      the built-in example app -> "Sign in" -> the pool's hosted UI
//                     -> samlsim's IdP login page -> the auto-posted SAMLResponse ->
//                     back to the app, which shows the decoded tokens of
//                     <Provider>_<NameID>;
//   2. case-changed   the IdP now sends the same person's NameID with a different
//                     case (the test changes the IdP user through its admin API);
//                     the pool is case-insensitive, so signing in again fails with
//                     Cognito's "Invalid ProviderName/Username combination." (G8);
//   3. after-delete   the old profile is deleted through the admin API; signing in
//                     again succeeds and creates <Provider>_<new NameID> (G9);
//   4. portal-idp-initiated  the IdP portal's "Example app (Cognito)" link signs in
//                     IdP-initiated, back to the app as the same user;
//   5. signed-out     the app's "Sign out" (Cognito /logout, signing out at the IdP
//                     too) ends on the app's signed-out page, and "Sign in again"
//                     asks for the password.
//
//   node tests/browser/cognito_e2e.mjs <config.json> <artifacts-dir>
//
// config.json (written by tests/cognito_browser.rs): {"base", "appUrl", "username",
// "password", "expectedUser", "changeNameId": {"url", "body"}, "expectedUserAfter",
// "deleteProfile": {"url"}, "collisionText", "portalUrl", "portalApp", "portalLabel"}. Prints `ok <step> (<ms> ms)` or
// `FAIL <step>: <reason>` per step, then `RESULT <json>`, and exits 1 on failure.
// Screenshots: cognito-<step>.png (cognito-<step>-failed.png on failure).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const STEP_MS = 10_000;
const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

const [configArg, artifactsArg] = process.argv.slice(2);
if (!configArg || !artifactsArg) {
  console.error("usage: node cognito_e2e.mjs <config.json> <artifacts-dir>");
  process.exit(2);
}
const cfg = JSON.parse(readFileSync(configArg, "utf8"));
if (!LOOPBACK.includes(new URL(cfg.base).hostname)) {
  console.error(`refusing to test ${cfg.base}: only loopback`);
  process.exit(2);
}
const artifacts = resolve(artifactsArg);
mkdirSync(artifacts, { recursive: true });
const executablePath = process.env.SAMLSIM_CHROMIUM || "/usr/bin/chromium";

class StepError extends Error {}
const fail = (message) => {
  throw new StepError(message);
};

async function whereIs(page) {
  try {
    const dataPage = (await page.locator("body").getAttribute("data-page", { timeout: 500 })) ?? "";
    const h1 = ((await page.locator("h1").first().textContent({ timeout: 500 })) ?? "").trim();
    const text = (await page.locator("body").innerText({ timeout: 500 })).replace(/\s+/g, " ").slice(0, 500);
    return `at ${page.url()}, page ${dataPage}, h1 "${h1}", text "${text}"`;
  } catch {
    return `at ${page.url()}`;
  }
}

/** The example app's start page, then its "Sign in" link. */
async function startSignIn(page) {
  await page.goto(cfg.appUrl);
  const signIn = page.getByRole("link", { name: "Sign in" });
  try {
    await signIn.first().waitFor({ state: "visible" });
  } catch {
    fail(`no "Sign in" link on the example app; ${await whereIs(page)}`);
  }
  await signIn.first().click();
}

/**
 * After "Sign in": the IdP login page (filled in) or, with an IdP session already,
 * straight through. Waits until the browser rests on the app's tokens page, the
 * app's error page, or a problem page (Cognito's or the IdP's refusal).
 */
async function finishSignIn(page, { expectLogin }) {
  const login = page.locator("#username");
  const end = page.locator('body[data-page="cognito-app-tokens"], body[data-page="cognito-app-error"], body.problem, [data-rule]');
  const first = await Promise.race([
    login.waitFor({ state: "visible", timeout: 2 * STEP_MS }).then(() => "login"),
    end.first().waitFor({ state: "attached", timeout: 2 * STEP_MS }).then(() => "end"),
  ]).catch(() => null);
  if (!first) fail(`the sign-in went nowhere within ${2 * STEP_MS} ms; ${await whereIs(page)}`);
  if (first === "login") {
    await page.screenshot({ path: join(artifacts, "cognito-idp-login.png"), fullPage: true });
    await page.fill("#username", cfg.username);
    await page.fill("#password", cfg.password);
    await page.click("#sign-in");
    await end.first().waitFor({ state: "attached", timeout: 2 * STEP_MS }).catch(() => {});
  } else if (expectLogin) {
    fail(`expected the IdP login page first; ${await whereIs(page)}`);
  }
  await page.waitForLoadState("load");
  return (await page.locator("body").getAttribute("data-page").catch(() => null)) ?? "";
}

/** Asserts the page is the app's tokens page for `username`; returns what it shows. */
async function expectTokens(page, username) {
  const dataPage = await page.locator("body").getAttribute("data-page");
  if (dataPage !== "cognito-app-tokens") fail(`expected the app's tokens page for ${username}; ${await whereIs(page)}`);
  const h1 = ((await page.locator("h1").first().textContent()) ?? "").trim();
  if (h1 !== `Signed in as ${username}`) fail(`h1 is "${h1}", expected "Signed in as ${username}"`);
  const text = await page.locator("body").innerText();
  // The decoded ID token names the user and the pool's claims.
  for (const needle of [`"cognito:username": "${username}"`, '"token_use": "id"', '"token_use": "access"']) {
    if (!text.includes(needle)) fail(`the tokens page does not show ${needle}; ${await whereIs(page)}`);
  }
  return { h1, url: page.url() };
}

async function admin(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(STEP_MS),
  });
  const text = await response.text();
  if (!response.ok) fail(`${method} ${url} answered ${response.status}: ${text.trim()}`);
  return text;
}

const steps = [
  {
    name: "signed-in",
    async run(page) {
      await startSignIn(page);
      await finishSignIn(page, { expectLogin: true });
      return expectTokens(page, cfg.expectedUser);
    },
  },
  {
    name: "case-changed",
    async run(page) {
      await admin("POST", cfg.changeNameId.url, cfg.changeNameId.body);
      await startSignIn(page);
      await finishSignIn(page, { expectLogin: false });
      const text = await page.locator("body").innerText();
      if (!text.includes(cfg.collisionText)) {
        fail(`expected Cognito's error "${cfg.collisionText}"; ${await whereIs(page)}`);
      }
      const rule = await page.locator("[data-rule]").first().getAttribute("data-rule", { timeout: 500 }).catch(() => null);
      return { url: page.url(), rule, dataPage: await page.locator("body").getAttribute("data-page") };
    },
  },
  {
    name: "after-delete",
    async run(page) {
      await admin("DELETE", cfg.deleteProfile.url);
      await startSignIn(page);
      await finishSignIn(page, { expectLogin: false });
      return expectTokens(page, cfg.expectedUserAfter);
    },
  },
  {
    name: "portal-idp-initiated",
    async run(page) {
      // The IdP portal lists the app; its link signs in IdP-initiated (no
      // AuthnRequest, RelayState names the client), back to the app as the same user.
      await page.goto(cfg.portalUrl);
      const link = page.locator(`#app-${cfg.portalApp}`);
      try {
        await link.waitFor({ state: "visible" });
      } catch {
        fail(`the IdP portal has no #app-${cfg.portalApp}; ${await whereIs(page)}`);
      }
      const label = ((await link.textContent()) ?? "").trim();
      if (label !== cfg.portalLabel) fail(`#app-${cfg.portalApp} says "${label}", expected "${cfg.portalLabel}"`);
      await link.click();
      await finishSignIn(page, { expectLogin: false });
      return { ...(await expectTokens(page, cfg.expectedUserAfter)), label };
    },
  },
  {
    name: "signed-out",
    async run(page) {
      // The app's "Sign out": Cognito's /logout, which (the provider has IDPSignout)
      // signs out at the IdP too, then the app's signed-out page. Signing in again
      // must then ask for the password.
      const signOut = page.getByRole("link", { name: "Sign out" });
      try {
        await signOut.first().waitFor({ state: "visible" });
      } catch {
        fail(`no "Sign out" link on the tokens page; ${await whereIs(page)}`);
      }
      await signOut.first().click();
      try {
        await page.locator('body[data-page="cognito-app-signed-out"]').waitFor({ state: "attached", timeout: 2 * STEP_MS });
      } catch {
        fail(`expected the app's signed-out page; ${await whereIs(page)}`);
      }
      const signedOutUrl = page.url();
      await page.screenshot({ path: join(artifacts, "cognito-signed-out-page.png"), fullPage: true });
      await page.getByRole("link", { name: "Sign in again" }).first().click();
      try {
        await page.locator("#username").waitFor({ state: "visible", timeout: 2 * STEP_MS });
      } catch {
        fail(`after signing out, signing in again did not ask for the password (IdP session still alive?); ${await whereIs(page)}`);
      }
      return { signedOutUrl, loginUrl: page.url() };
    },
  },
];

let browser;
try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
} catch (e) {
  console.log(`FAIL launch: could not start ${executablePath}: ${String(e.message ?? e).split("\n")[0]}`);
  process.exit(1);
}
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
context.setDefaultTimeout(STEP_MS);
context.setDefaultNavigationTimeout(STEP_MS);
const offLoopback = [];
await context.route(
  (url) => !LOOPBACK.includes(url.hostname) && url.protocol !== "data:",
  (route) => {
    offLoopback.push(route.request().url());
    return route.abort("blockedbyclient");
  },
);
const page = await context.newPage();
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e.message ?? e)));

const result = { browser: browser.version(), steps: {} };
let failed = false;
for (const step of steps) {
  const started = Date.now();
  try {
    result.steps[step.name] = await step.run(page);
    if (offLoopback.length) fail(`the browser tried to leave loopback: ${offLoopback.join(", ")}`);
    await page.screenshot({ path: join(artifacts, `cognito-${step.name}.png`), fullPage: true });
    console.log(`ok ${step.name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed = true;
    let reason = e instanceof StepError ? e.message : `${String(e.stack ?? e)}\n  ${await whereIs(page)}`;
    if (pageErrors.length) reason += `\n  page errors: ${pageErrors.join(" | ")}`;
    console.log(`FAIL ${step.name}: ${reason}`);
    await page.screenshot({ path: join(artifacts, `cognito-${step.name}-failed.png`), fullPage: true }).catch(() => {});
    break;
  }
}
await browser.close().catch(() => {});
writeFileSync(join(artifacts, "cognito-results.json"), JSON.stringify(result, null, 2) + "\n");
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(failed ? 1 : 0);
