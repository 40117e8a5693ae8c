// openid-client (panva's, pinned in package.json) as a relying party of the mock
// Cognito user pool, with Debian's Chromium (playwright-core) walking the browser
// part: OpenID discovery from the pool's issuer (the pool's `local` issuer setting,
// so discovery can run from it on loopback), the authorization code flow with PKCE
// S256 -> hosted UI -> samlsim's IdP login page -> the auto-posted SAMLResponse ->
// Cognito -> the app's callback, then the token exchange, ID-token validation
// (openid-client's own, default settings: signature by the JWKS from discovery,
// iss, aud, exp, iat, nonce), userinfo, a refresh, and a replayed code.
//
//   node tests/browser/cognito_oidc.mjs <config.json> <artifacts-dir>
//
// config.json: {"base", "issuer", "clientId", "clientSecret" (or null), "clientAuth"
// ("basic" or "post"), "redirectUri", "identityProvider" or "idpIdentifier",
// "username", "password", "scope"}. Written by
// tests/cognito_oidc.rs. Prints progress lines, then one line `RESULT <json>`, and
// exits 1 on the first failure (`FAIL <step>: <reason>`). Screenshots:
// oidc-idp-login.png, oidc-callback.png (or oidc-failed.png).
//
// openid-client refuses http:// endpoints unless told otherwise; the emulator is
// on http://127.0.0.1, so the configuration gets `allowInsecureRequests` (the
// library's documented switch for that) and nothing else is relaxed.

import { readFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import * as client from "openid-client";
import { chromium } from "playwright-core";

const STEP_MS = 10_000;

const [configArg, artifactsArg] = process.argv.slice(2);
if (!configArg || !artifactsArg) {
  console.error("usage: node cognito_oidc.mjs <config.json> <artifacts-dir>");
  process.exit(2);
}
const cfg = JSON.parse(readFileSync(configArg, "utf8"));
const artifacts = resolve(artifactsArg);
mkdirSync(artifacts, { recursive: true });
const executablePath = process.env.SAMLSIM_CHROMIUM || "/usr/bin/chromium";
const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];
for (const url of [cfg.base, cfg.issuer]) {
  if (!LOOPBACK.includes(new URL(url).hostname)) {
    console.error(`refusing to test ${url}: only loopback`);
    process.exit(2);
  }
}

let step = "start";
const result = {};

function describe(e) {
  const parts = [`${e?.constructor?.name ?? "Error"}: ${e?.message ?? e}`];
  if (e?.code) parts.push(`code=${e.code}`);
  if (e?.error) parts.push(`error=${e.error}`);
  if (e?.error_description) parts.push(`error_description=${e.error_description}`);
  if (e?.cause) parts.push(`cause=${JSON.stringify(e.cause)?.slice(0, 800)}`);
  return parts.join(" ");
}

/** Rejects after `ms` (the timer does not keep node alive). */
function noCallbackWithin(ms, page) {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`no callback within ${ms} ms; at ${page.url()}`)), ms).unref();
  });
}

let browser;
let page;
try {
  step = "discovery";
  // client_secret_basic (an Authorization header) or client_secret_post (form fields).
  const auth = !cfg.clientSecret
    ? client.None()
    : cfg.clientAuth === "post"
      ? client.ClientSecretPost(cfg.clientSecret)
      : client.ClientSecretBasic(cfg.clientSecret);
  const config = await client.discovery(new URL(cfg.issuer), cfg.clientId, undefined, auth, {
    execute: [client.allowInsecureRequests],
  });
  const metadata = config.serverMetadata();
  result.metadata = {
    issuer: metadata.issuer,
    authorization_endpoint: metadata.authorization_endpoint,
    token_endpoint: metadata.token_endpoint,
    userinfo_endpoint: metadata.userinfo_endpoint,
    jwks_uri: metadata.jwks_uri,
    code_challenge_methods_supported: metadata.code_challenge_methods_supported,
    id_token_signing_alg_values_supported: metadata.id_token_signing_alg_values_supported,
  };
  console.log(`discovered ${metadata.issuer}`);

  step = "authorization URL";
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: cfg.redirectUri,
    scope: cfg.scope,
    code_challenge: codeChallenge,
    code_challenge_method: "S256",
    state,
    nonce,
    // The provider by name, or by an identifier (an email domain) it claims.
    ...(cfg.idpIdentifier ? { idp_identifier: cfg.idpIdentifier } : { identity_provider: cfg.identityProvider }),
  });
  result.authorizationUrl = authorizationUrl.href;

  step = "browser";
  browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
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
  // The app's callback: the browser lands here with ?code=&state=. The app is this
  // script, so the request is answered here and never reaches a server (registered
  // last, so it wins over the rule above).
  let callbackUrl;
  let arrived;
  const callback = new Promise((r) => (arrived = r));
  await context.route(
    (url) => url.href.startsWith(cfg.redirectUri),
    (route) => {
      callbackUrl = route.request().url();
      arrived(callbackUrl);
      return route.fulfill({
        status: 200,
        contentType: "text/html",
        body: `<!doctype html><title>RP callback</title><h1 id="rp-callback">openid-client callback</h1><p>${callbackUrl.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</p>`,
      });
    },
  );
  page = await context.newPage();

  step = "hosted UI to the IdP login page";
  await page.goto(authorizationUrl.href);
  await page.locator("#username").waitFor({ state: "visible" });
  result.loginPageUrl = page.url();
  await page.screenshot({ path: join(artifacts, "oidc-idp-login.png"), fullPage: true });

  step = "IdP sign-in and the SAML POST back to Cognito";
  await page.fill("#username", cfg.username);
  await page.fill("#password", cfg.password);
  await page.click("#sign-in");
  await Promise.race([callback, noCallbackWithin(2 * STEP_MS, page)]);
  await page.locator("#rp-callback").waitFor({ state: "visible" });
  await page.screenshot({ path: join(artifacts, "oidc-callback.png"), fullPage: true });
  if (offLoopback.length) throw new Error(`the browser tried to leave loopback: ${offLoopback.join(", ")}`);
  result.callbackUrl = callbackUrl;
  console.log(`callback ${callbackUrl.replace(/code=[^&]+/, "code=...")}`);

  step = "token exchange (authorization_code + PKCE, ID token validated by openid-client)";
  const tokens = await client.authorizationCodeGrant(config, new URL(callbackUrl), {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  result.token = {
    token_type: tokens.token_type,
    expires_in: tokens.expires_in,
    has_access_token: typeof tokens.access_token === "string",
    has_refresh_token: typeof tokens.refresh_token === "string",
  };
  result.claims = claims;
  console.log(`ID token for ${claims["cognito:username"]}`);

  step = "userinfo";
  result.userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

  step = "refresh";
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  result.refreshed = {
    token_type: refreshed.token_type,
    has_access_token: typeof refreshed.access_token === "string",
    claims: refreshed.claims() ?? null,
  };

  step = "replayed code";
  try {
    await client.authorizationCodeGrant(config, new URL(callbackUrl), {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    result.replay = { accepted: true };
  } catch (e) {
    result.replay = { accepted: false, error: e?.error ?? null, name: e?.constructor?.name, message: e?.message };
  }

  step = "second sign-in with the wrong PKCE verifier";
  {
    // The same browser (the IdP remembers alice): a new authorization request, whose
    // code is then redeemed with a verifier that does not match its challenge.
    const verifier = client.randomPKCECodeVerifier();
    const state2 = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: cfg.redirectUri,
      scope: cfg.scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: state2,
      ...(cfg.idpIdentifier ? { idp_identifier: cfg.idpIdentifier } : { identity_provider: cfg.identityProvider }),
    });
    const again = new Promise((r) => (arrived = r));
    await page.goto(url.href);
    const login = page.locator("#username");
    const shown = await Promise.race([
      again.then(() => "callback"),
      login.waitFor({ state: "visible", timeout: 2 * STEP_MS }).then(() => "login"),
    ]).catch(() => "neither");
    if (shown === "login") {
      await page.fill("#username", cfg.username);
      await page.fill("#password", cfg.password);
      await page.click("#sign-in");
    }
    const second = await Promise.race([again, noCallbackWithin(2 * STEP_MS, page)]);
    try {
      await client.authorizationCodeGrant(config, new URL(second), {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: state2,
      });
      result.pkceMismatch = { accepted: true };
    } catch (e) {
      result.pkceMismatch = { accepted: false, error: e?.error ?? null, name: e?.constructor?.name, message: e?.message };
    }
  }

  console.log(`RESULT ${JSON.stringify(result)}`);
  await browser.close();
  process.exit(0);
} catch (e) {
  console.log(`FAIL ${step}: ${describe(e)}`);
  if (page) {
    try {
      console.log(`  page at ${page.url()}: ${(await page.locator("body").innerText({ timeout: 1000 })).replace(/\s+/g, " ").slice(0, 600)}`);
      await page.screenshot({ path: join(artifacts, "oidc-failed.png"), fullPage: true, timeout: STEP_MS });
    } catch {
      // The page may be gone: the reason above is what matters.
    }
  }
  console.log(`PARTIAL ${JSON.stringify(result)}`);
  await browser?.close().catch(() => {});
  process.exit(1);
}
