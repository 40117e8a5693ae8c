// Real-browser end-to-end scenarios for samlsim: Debian's Chromium driven by
// playwright-core (which never downloads a browser).
//
//   node tests/browser/e2e.mjs <base-url> <artifacts-dir>
//
// <base-url> is a running emulator on loopback (http://127.0.0.1:PORT); the
// scenarios assume its embedded demo world (`samlsim up --in-memory`) and a clock
// that can still be moved (scenario 4 advances it by 12 h 1 s, so run the suite
// against a fresh emulator). Prints one line per scenario, `ok <name> (<ms> ms)` or
// `FAIL <name>: <reason>`, saves a full-page screenshot of each scenario's last page
// in <artifacts-dir> (`<name>.png`, or `<name>-failed.png` on failure), and exits
// non-zero if any scenario failed.
//
// Environment:
//   SAMLSIM_CHROMIUM   the browser binary (default /usr/bin/chromium)
//   SAMLSIM_E2E_ONLY   comma-separated scenario names to run (default: all)
//   SAMLSIM_E2E_TRACE  1: also print every navigation of every scenario

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const INSTANCE_ID = "178c75e4-b3de-4839-a6aa-e321ab3f3770";
const CONNECT_HOST = "example-corp.my.connect.aws";
const CONNECT_APP = "connect-us-east-1";

/** How long one step (a click, a wait for an element or a page) may take. */
const STEP_MS = 10_000;
/** How long a whole scenario may take. */
const SCENARIO_MS = 30_000;

const [baseArg, artifactsArg] = process.argv.slice(2);
if (!baseArg || !artifactsArg) {
  console.error("usage: node e2e.mjs <base-url> <artifacts-dir>");
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, "");
const baseUrl = new URL(base);
if (!["127.0.0.1", "localhost", "[::1]"].includes(baseUrl.hostname)) {
  console.error(`refusing to test ${base}: the scenarios talk only to loopback`);
  process.exit(2);
}
const artifacts = resolve(artifactsArg);
mkdirSync(artifacts, { recursive: true });

const executablePath = process.env.SAMLSIM_CHROMIUM || "/usr/bin/chromium";
const only = (process.env.SAMLSIM_E2E_ONLY || "")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const trace = process.env.SAMLSIM_E2E_TRACE === "1";

const urls = {
  portal: `${base}/idp/portal`,
  ccp: `${base}/aws/${CONNECT_HOST}/ccp-v2`,
  clock: `${base}/_admin/clock`,
};

// ---------------------------------------------------------------------------
// Helpers

class ScenarioError extends Error {}

function fail(message) {
  throw new ScenarioError(message);
}

/** A one-line description of where the page is, for failure messages. */
async function whereIs(page) {
  let url = "?";
  let title = "";
  let heading = "";
  let dataPage = "";
  try {
    url = page.url();
    title = await page.title();
    heading = (await page.locator("h1").first().textContent({ timeout: 500 })) ?? "";
    dataPage = (await page.locator("body").getAttribute("data-page", { timeout: 500 })) ?? "";
  } catch {
    // The page may be navigating or gone: report what we have.
  }
  const clean = (s) => {
    const one = s.replace(/\s+/g, " ").trim();
    return one.length > 300 ? `${one.slice(0, 300)}...` : one;
  };
  const parts = [`at ${url}`];
  if (dataPage) parts.push(`page ${dataPage}`);
  if (title) parts.push(`title "${clean(title)}"`);
  if (heading) parts.push(`h1 "${clean(heading)}"`);
  const why = await page
    .locator("#why, #login-error, [role=alert]")
    .first()
    .textContent({ timeout: 300 })
    .catch(() => null);
  if (why) parts.push(`says "${clean(why)}"`);
  return parts.join(", ");
}

/** Waits for `selector` to be visible, failing with where the page ended up. */
async function expectVisible(page, selector, what, timeout = STEP_MS) {
  try {
    await page.locator(selector).first().waitFor({ state: "visible", timeout });
  } catch {
    fail(`expected ${what} (${selector}) within ${timeout} ms; ${await whereIs(page)}`);
  }
}

/** Signs in on the IdP's login page, starting from the portal, and waits for the portal. */
async function signInToPortal(page, username, password) {
  await page.goto(urls.portal, { timeout: STEP_MS });
  await expectVisible(page, "#username", "the IdP login form");
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([
    page.waitForLoadState("load", { timeout: STEP_MS }),
    page.click("#sign-in", { timeout: STEP_MS }),
  ]);
  await expectVisible(page, `#app-${CONNECT_APP}`, `the portal's Connect app link after ${username} signs in`);
}

/** True once the page shows one of the pages a Connect sign-in can end on. */
const END_PAGES = "#agent-name, h1#access-denied, h1#session-expired";

/**
 * Clicks the Connect app in the portal and follows the federation (IdP POST form ->
 * AWS sign-in -> Connect federate -> instance auth -> landing page) until it rests
 * on a Connect page. Returns the page's final state: "ccp", "access-denied",
 * "session-expired", or "other" (some other landing page of the instance).
 */
async function launchConnect(page) {
  await page.click(`#app-${CONNECT_APP}`, { timeout: STEP_MS });
  const onInstance = (url) =>
    url.pathname.startsWith(`/aws/${CONNECT_HOST}/`) && !url.pathname.startsWith(`/aws/${CONNECT_HOST}/auth`);
  const deadline = Date.now() + 2 * STEP_MS;
  // Whichever comes first: a known end page, or a resting page on the instance.
  // Problem pages (`body.problem`, e.g. an AWS sign-in error) end it early too.
  const ended = page
    .locator(`${END_PAGES}, body.problem`)
    .first()
    .waitFor({ state: "visible", timeout: 2 * STEP_MS })
    .then(() => "element");
  const landed = page
    .waitForURL(onInstance, { waitUntil: "load", timeout: 2 * STEP_MS })
    .then(() => "url");
  const first = await Promise.any([ended, landed]).catch(() => null);
  // Quiet the loser so it cannot reject unhandled.
  ended.catch(() => {});
  landed.catch(() => {});
  if (!first) {
    fail(`the Connect sign-in did not reach the instance within ${2 * STEP_MS} ms; ${await whereIs(page)}`);
  }
  // Landed on a page of the instance, rendered by the server: if it is not one of
  // the known end pages (the instance's home, when the RelayState names no
  // destination), allow a moment for a client-side redirect before calling it "other".
  if ((await pageState(page)) === "other") {
    const remaining = Math.max(200, Math.min(750, deadline - Date.now()));
    await page.locator(END_PAGES).first().waitFor({ state: "visible", timeout: remaining }).catch(() => {});
  }
  return pageState(page);
}

async function pageState(page) {
  if (await page.locator("h1#access-denied").count()) return "access-denied";
  if (await page.locator("h1#session-expired").count()) return "session-expired";
  if (await page.locator("#agent-name").count()) return "ccp";
  if (await page.locator("body.problem").count()) return "problem";
  return "other";
}

/** Portal -> login -> Connect app -> the CCP, asserting the agent is `expectedName`. */
async function signInToCcp(page, username, password, expectedName) {
  await signInToPortal(page, username, password);
  let state = await launchConnect(page);
  let landing = "";
  if (state === "other") {
    // The app landed somewhere else on the instance (its home page): the session
    // cookie is set, so open the CCP ourselves.
    landing = ` after landing on ${page.url()}`;
    await page.goto(urls.ccp, { timeout: STEP_MS });
    state = await pageState(page);
  }
  if (state !== "ccp") {
    fail(`expected the CCP for ${username}, got ${state}${landing}; ${await whereIs(page)}`);
  }
  if (!new URL(page.url()).pathname.includes("/ccp-v2")) {
    await page.goto(urls.ccp, { timeout: STEP_MS });
  }
  await expectVisible(page, "#agent-name", "the CCP's agent name");
  const name = (await page.locator("#agent-name").textContent()) ?? "";
  if (!name.includes(expectedName)) {
    fail(`#agent-name is "${name.trim()}", expected it to contain "${expectedName}"`);
  }
}

/** Parses `mm:ss` (or `h:mm:ss`) into seconds; NaN if it is not a timer. */
function timerSeconds(text) {
  const m = /(?:(\d+):)?(\d+):(\d{2})/.exec(text ?? "");
  if (!m) return NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** Moves the emulator's virtual clock through the admin API. */
async function advanceClock(by) {
  const response = await fetch(urls.clock, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ advance: by }),
    signal: AbortSignal.timeout(STEP_MS),
  });
  const body = await response.text();
  if (!response.ok) fail(`POST /_admin/clock {"advance":"${by}"} answered ${response.status}: ${body.trim()}`);
  return body;
}

// ---------------------------------------------------------------------------
// The flow inspector and accessibility

/** axe-core, pinned in package.json, injected into pages under test. */
const AXE = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/** Runs axe-core on the page; fails on any serious or critical violation. */
async function expectAccessible(page, what) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length) {
    fail(`axe-core found ${serious.length} serious violation(s) on ${what}: ${JSON.stringify(serious)}`);
  }
}

/** Saves a full-page screenshot under `name` (besides each scenario's last page). */
async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true, timeout: STEP_MS });
}

/**
 * Opens this browser's flow in the inspector (the header link every page has) and
 * checks the step strip, the timeline's lanes and, when `failed` is given, the
 * failed check: its rule, the value sent and the one expected.
 */
async function inspectThisFlow(page, name, { reached, failed }) {
  // The page the flow ended on, before the inspector replaces it.
  await shot(page, `${name}-end`);
  await page.click("a.inspector-link", { timeout: STEP_MS });
  await expectVisible(page, "body[data-page=inspect-flow]", "the flow inspector");
  await expectVisible(page, "#timeline tbody tr", "the timeline's rows");
  for (const step of reached) {
    const state = await page.locator(`#steps li[data-step=${step}]`).getAttribute("class");
    if (!/step-(passed|failed)/.test(state ?? "")) fail(`step ${step} shows as "${state}" in the inspector`);
  }
  const lanes = await page.locator("#timeline tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.lane));
  for (const lane of ["IdP", "AWS sign-in", "Connect"]) {
    if (!lanes.includes(lane)) fail(`the timeline has no ${lane} row: ${lanes.join(", ")}`);
  }
  // The decoded assertion: signed, with its certificate's fingerprint and attributes.
  await expectVisible(page, "section.message table.signatures code.fingerprint", "the signature's certificate fingerprint");
  const attributes = (await page.locator("section.message table.attributes").first().textContent()) ?? "";
  if (!attributes.includes("RoleSessionName")) fail(`the attribute table has no RoleSessionName: ${attributes}`);
  await expectVisible(page, "pre.xml .signed", "the signed element marked in the XML");
  if (failed) {
    await expectVisible(page, "#failed-check", "the failed check");
    const text = (await page.locator("#failed-check").textContent()) ?? "";
    if (!text.includes(failed.rule)) fail(`the failed check does not name ${failed.rule}: ${text}`);
    const actual = (await page.locator("#failed-check code.actual").textContent()) ?? "";
    if (!actual.includes(failed.actual)) fail(`the failed check shows "${actual}" sent, expected "${failed.actual}"`);
    const expected = (await page.locator("#failed-check code.expected").textContent()) ?? "";
    if (!expected.includes(failed.expected)) fail(`the failed check expects "${expected}", not "${failed.expected}"`);
  } else if (await page.locator("#failed-check").count()) {
    fail(`the inspector shows a failed check for a flow that passed: ${await page.locator("#failed-check").textContent()}`);
  }
  await shot(page, `inspect-${name}`);
  // Close-ups, readable at full size: the top (summary, steps, what went wrong),
  // the timeline, and the first decoded message.
  await page.screenshot({ path: join(artifacts, `inspect-${name}-top.png`), timeout: STEP_MS });
  await page.locator("#timeline").screenshot({ path: join(artifacts, `inspect-${name}-timeline.png`), timeout: STEP_MS });
  await page.locator("section.message").first().screenshot({ path: join(artifacts, `inspect-${name}-message.png`), timeout: STEP_MS });
  await expectAccessible(page, `the inspector (${name})`);
}

/** The clock buttons move the virtual clock and go back to wall time. */
async function checkClockButtons(page) {
  const before = (await page.locator("#clock-now").textContent())?.trim();
  await page.click("button[data-advance='5m']");
  await page.waitForFunction(
    (b) => document.querySelector("#clock-now")?.textContent?.trim() !== b,
    before,
    { timeout: STEP_MS },
  );
  const moved = (await page.locator("#clock-now").textContent())?.trim();
  const minutes = (Date.parse(moved) - Date.parse(before)) / 60000;
  if (!(minutes >= 5 && minutes < 6)) fail(`+5 min moved the clock from ${before} to ${moved}`);
  await page.click("button[data-reset]");
  await page.waitForFunction(
    (m) => /now reads/.test(document.querySelector("#clock-status")?.textContent ?? "") &&
      document.querySelector("#clock-now")?.textContent?.trim() !== m,
    moved,
    { timeout: STEP_MS },
  );
  const state = await (await fetch(urls.clock, { signal: AbortSignal.timeout(STEP_MS) })).json();
  if (state.offset_seconds !== 0) fail(`"Back to wall time" left the clock ${state.offset_seconds} s off`);
}

// ---------------------------------------------------------------------------
// Scenarios: each gets a fresh browser context (its own cookies) and a page.

const scenarios = [
  {
    name: "happy-path",
    async run(page) {
      await signInToCcp(page, "alice", "alice-pass", "alice");
      await inspectThisFlow(page, "happy-path", { reached: ["C1", "C2", "C3", "C5", "C6"] });
      // "Save as scenario": the test runs the saved file with `samlsim run` after this.
      const saved = await page.request.get(`${page.url().split("?")[0]}/scenario.toml`);
      if (!saved.ok()) fail(`Save as scenario answered ${saved.status()}`);
      writeFileSync(join(artifacts, "happy-path.scenario.toml"), await saved.text());
      // The start page links to the inspector and passes axe too.
      await page.goto(`${base}/`, { timeout: STEP_MS });
      await expectVisible(page, "a[href='/_inspect']", "the start page's link to the inspector");
      await expectAccessible(page, "the start page");
      await page.click("a[href='/_inspect']");
      await expectVisible(page, "#flows tbody tr", "the flow list");
      await expectAccessible(page, "the flow list");
    },
  },
  {
    name: "name-mismatch",
    async run(page) {
      // JDoe's directory name differs only in case from the Connect user jdoe (C23, C25).
      await signInToPortal(page, "JDoe", "JDoe-pass");
      const state = await launchConnect(page);
      if (state !== "access-denied") {
        fail(`expected Connect to deny JDoe, got ${state}; ${await whereIs(page)}`);
      }
      const heading = (await page.locator("h1#access-denied").textContent()) ?? "";
      if (!/access denied/i.test(heading)) fail(`h1#access-denied says "${heading.trim()}"`);
      await inspectThisFlow(page, "name-mismatch", {
        reached: ["C5", "C6"],
        failed: { rule: "user-not-onboarded", actual: "JDoe", expected: '"jdoe"' },
      });
    },
  },
  {
    name: "korean",
    async run(page) {
      // A Korean trainer's browser asks for Korean; samlsim's pages answer in it,
      // the emulated services' pages keep their own English.
      await page.setExtraHTTPHeaders({ "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5" });
      const lang = () => page.evaluate(() => document.documentElement.lang);
      await signInToPortal(page, "JDoe", "JDoe-pass");
      const state = await launchConnect(page);
      if (state !== "access-denied") fail(`expected Connect to deny JDoe, got ${state}; ${await whereIs(page)}`);
      if ((await lang()) !== "en") fail(`Connect's access-denied page says lang="${await lang()}"`);
      await page.click("a.inspector-link", { timeout: STEP_MS });
      await expectVisible(page, "#failed-check", "the failed check in the Korean inspector");
      if ((await lang()) !== "ko") fail(`the inspector says lang="${await lang()}" to a Korean browser`);
      const title = (await page.locator("#failed-title").textContent()) ?? "";
      if (!title.includes("무엇이 잘못되었나")) fail(`the failed check is headed "${title.trim()}"`);
      await shot(page, "inspect-korean");
      await expectAccessible(page, "the inspector in Korean");
      // The toggle switches to English, and the choice outlives Accept-Language.
      await page.click("a.lang-toggle", { timeout: STEP_MS });
      await page.waitForFunction(() => document.documentElement.lang === "en", null, { timeout: STEP_MS });
      const english = (await page.locator("#failed-title").textContent()) ?? "";
      if (!english.includes("What went wrong")) fail(`after the toggle the failed check is headed "${english.trim()}"`);
      await page.goto(`${base}/`, { timeout: STEP_MS });
      if ((await lang()) !== "en") fail(`the start page forgot the English choice: lang="${await lang()}"`);
      await page.click("a.lang-toggle", { timeout: STEP_MS });
      await page.waitForFunction(() => document.documentElement.lang === "ko", null, { timeout: STEP_MS });
      await expectVisible(page, "text=samlsim이 실행 중입니다", "the Korean start page");
      await shot(page, "start-korean");
      await expectAccessible(page, "the start page in Korean");
    },
  },
  {
    name: "demo-switch",
    async run(page) {
      // A trainer turns on "Role does not trust the IdP" in the inspector, then signs in.
      await page.goto(`${base}/_inspect?present=1`, { timeout: STEP_MS });
      await page.check("input[data-switch=role-not-trusted]");
      await page.waitForFunction(() => /^On:/.test(document.querySelector("#switch-status")?.textContent ?? ""), null, { timeout: STEP_MS });
      await expectAccessible(page, "the inspector's presenter layout with the switches");
      await signInToPortal(page, "alice", "alice-pass");
      const state = await launchConnect(page);
      if (state !== "problem") fail(`expected AWS sign-in to refuse the untrusted role, got ${state}; ${await whereIs(page)}`);
      await page.click("a.inspector-link", { timeout: STEP_MS });
      await expectVisible(page, "#caused-by-switch", "the inspector naming the failure switch");
      const named = (await page.locator("#caused-by-switch").textContent()) ?? "";
      if (!named.includes("Role does not trust the IdP")) fail(`the inspector says "${named.trim()}"`);
      // Presenter layout: one step at a time.
      await page.goto(`${page.url().split("?")[0]}?present=1`, { timeout: STEP_MS });
      const visible = async () => page.locator("#timeline tbody tr:visible").count();
      if ((await visible()) !== 1) fail(`the presenter layout shows ${await visible()} rows at first`);
      await page.click("#next-step");
      if ((await visible()) !== 2) fail(`"Next step" shows ${await visible()} rows`);
      const messages = async () => page.locator("section.message:visible").count();
      if ((await messages()) !== 0) fail(`the presenter layout shows ${await messages()} SAML messages before their step`);
      await page.screenshot({ path: join(artifacts, "inspect-demo-present.png"), timeout: STEP_MS });
      while (await page.locator("#next-step").isEnabled()) await page.click("#next-step");
      if ((await messages()) === 0) fail("the presenter layout never shows the SAML messages");
      await expectVisible(page, "#failed-check", "the failed check once every step is shown");
      await shot(page, "inspect-demo-switch");
      // Off again: the configured world is back for the scenarios after this one.
      await page.uncheck("input[data-switch=role-not-trusted]");
      await page.waitForFunction(() => /^Off:/.test(document.querySelector("#switch-status")?.textContent ?? ""), null, { timeout: STEP_MS });
    },
  },
  {
    name: "direct-access",
    async run(page) {
      // No session: opening the CCP directly shows "Session expired" (C28).
      await page.goto(urls.ccp, { timeout: STEP_MS });
      await expectVisible(page, "h1#session-expired", "the session-expired page");
      const heading = (await page.locator("h1#session-expired").textContent()) ?? "";
      if (!heading.includes("Session expired")) fail(`h1#session-expired says "${heading.trim()}"`);
    },
  },
  {
    name: "expiry-mid-call",
    async run(page) {
      await signInToCcp(page, "alice", "alice-pass", "alice");
      // Nothing to accept before a call rings (the button has the `hidden` attribute,
      // which a stylesheet's `display` must not override).
      if (await page.locator("#accept-call").isVisible()) {
        fail("#accept-call is visible before any call rings (does CSS override [hidden]?)");
      }
      await page.click("#simulate-call", { timeout: STEP_MS });
      await expectVisible(page, "#accept-call", "the Accept button of the ringing call");
      await page.click("#accept-call", { timeout: STEP_MS });
      // The timer runs: it reaches 00:02 within a few seconds.
      try {
        await page.waitForFunction(
          () => {
            const m = /(\d+):(\d{2})$/.exec(document.querySelector("#call-timer")?.textContent?.trim() ?? "");
            return m !== null && Number(m[1]) * 60 + Number(m[2]) >= 2;
          },
          null,
          { timeout: STEP_MS, polling: 200 },
        );
      } catch {
        const shown = await page.locator("#call-timer").textContent().catch(() => null);
        fail(`#call-timer did not reach 00:02 within ${STEP_MS} ms (shows "${shown}"); ${await whereIs(page)}`);
      }
      const shown = await page.locator("#call-timer").textContent();
      if (!(timerSeconds(shown) >= 2)) fail(`#call-timer shows "${shown}"`);
      // The 12 h session runs out under the agent's feet; the CCP's poll notices.
      await advanceClock("12h1s");
      await expectVisible(page, "h1#session-expired", "the session-expired page after the clock moved 12h1s");
      await inspectThisFlow(page, "expiry-mid-call", {
        reached: ["C5", "C6"],
        failed: { rule: "session-expired", actual: "Z", expected: "12 hours after sign-in" },
      });
      await checkClockButtons(page);
    },
  },
];

// ---------------------------------------------------------------------------
// Runner

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new ScenarioError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runScenario(browser, scenario) {
  const started = Date.now();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const offLoopback = [];
  // Only loopback: anything else is a bug in a page (or a redirect to real AWS).
  await context.route(
    (url) => !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) && url.protocol !== "data:",
    (route) => {
      offLoopback.push(route.request().url());
      return route.abort("blockedbyclient");
    },
  );
  const pageErrors = [];
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e.message ?? e)));
  if (trace) {
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) console.log(`  ${scenario.name}: -> ${f.url()}`);
    });
  }
  let error = null;
  try {
    await withTimeout(scenario.run(page), SCENARIO_MS, scenario.name);
    if (offLoopback.length) fail(`the browser tried to leave loopback: ${offLoopback.join(", ")}`);
  } catch (e) {
    error = e;
  }
  const ms = Date.now() - started;
  const shot = join(artifacts, error ? `${scenario.name}-failed.png` : `${scenario.name}.png`);
  try {
    await page.screenshot({ path: shot, fullPage: true, timeout: STEP_MS });
  } catch (e) {
    console.log(`  (no screenshot for ${scenario.name}: ${String(e.message ?? e).split("\n")[0]})`);
  }
  await context.close().catch(() => {});
  if (error) {
    let reason = error instanceof ScenarioError ? error.message : String(error.stack ?? error);
    if (!(error instanceof ScenarioError)) reason += `\n  ${await whereIs(page).catch(() => "")}`;
    if (pageErrors.length) reason += `\n  page errors: ${pageErrors.join(" | ")}`;
    return { name: scenario.name, ok: false, ms, reason, shot };
  }
  return { name: scenario.name, ok: true, ms, shot };
}

const selected = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
if (only.length && selected.length !== only.length) {
  console.error(`unknown scenario in SAMLSIM_E2E_ONLY=${only.join(",")}; known: ${scenarios.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

let browser;
try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    // Playwright gives the browser a fresh, empty --user-data-dir of its own (a temp
    // folder removed on close). The networking flags keep Chromium from calling home,
    // which some sandboxes answer by refusing its connections.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
} catch (e) {
  console.log(`FAIL launch: could not start ${executablePath}: ${String(e.message ?? e).split("\n")[0]}`);
  process.exit(1);
}

const results = [];
try {
  console.log(`browser: ${executablePath} (Chromium ${browser.version()}), emulator: ${base}`);
  for (const scenario of selected) {
    const result = await runScenario(browser, scenario);
    results.push(result);
    console.log(result.ok ? `ok ${result.name} (${result.ms} ms)` : `FAIL ${result.name}: ${result.reason}`);
  }
} finally {
  await browser.close().catch(() => {});
}

const failed = results.filter((r) => !r.ok);
writeFileSync(
  join(artifacts, "results.json"),
  JSON.stringify({ base, browser: executablePath, results }, null, 2) + "\n",
);
console.log(
  `${results.length - failed.length} passed, ${failed.length} failed; screenshots in ${artifacts}`,
);
process.exit(failed.length ? 1 : 0);
