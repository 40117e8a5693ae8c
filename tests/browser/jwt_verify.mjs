// aws-jwt-verify (awslabs, pinned in package.json) checks the mock Cognito pool's
// ID and access tokens as a backend behind the real Cognito would: the
// CognitoJwtVerifier for the pool and app client, with the pool's default (AWS)
// issuer `https://cognito-idp.<region>.amazonaws.com/<pool-id>`.
//
//   node tests/browser/jwt_verify.mjs <config.json>
//
// config.json: {"userPoolId", "clientId", "jwksUrl", "idToken", "accessToken"},
// written by tests/cognito_oidc.rs.
//
// The verifier would fetch the JWKS from
// https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/jwks.json, which
// is not reachable here (and must not be: the tests stay on loopback). So the JWKS
// is fetched from samlsim's local URL for that document and handed to the verifier
// with `verifier.cacheJwks(jwks)`, the library's documented way to supply keys
// (how its users test offline), and every check uses `verifySync`, which only ever
// uses cached keys, so nothing can reach the network.
//
// Prints one line `RESULT <json>`: for each check, {"ok": payload} or
// {"error": {"name", "message"}}. tests/cognito_oidc.rs decides what must pass.

import { readFileSync } from "node:fs";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const [configArg] = process.argv.slice(2);
if (!configArg) {
  console.error("usage: node jwt_verify.mjs <config.json>");
  process.exit(2);
}
const cfg = JSON.parse(readFileSync(configArg, "utf8"));
const jwksUrl = new URL(cfg.jwksUrl);
if (!["127.0.0.1", "localhost", "[::1]"].includes(jwksUrl.hostname)) {
  console.error(`refusing to fetch ${jwksUrl}: only loopback`);
  process.exit(2);
}

const response = await fetch(jwksUrl, { signal: AbortSignal.timeout(10_000) });
if (!response.ok) {
  console.log(`FAIL jwks: GET ${jwksUrl} answered ${response.status}: ${await response.text()}`);
  process.exit(1);
}
const jwks = await response.json();

function verifier(options) {
  const v = CognitoJwtVerifier.create({ userPoolId: cfg.userPoolId, tokenUse: null, clientId: cfg.clientId, ...options });
  v.cacheJwks(jwks);
  return v;
}

function check(run) {
  try {
    return { ok: run() };
  } catch (e) {
    return { error: { name: e?.constructor?.name ?? "Error", message: String(e?.message ?? e) } };
  }
}

/** The token with one payload claim changed and the signature kept. */
function tampered(token, claim, value) {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  claims[claim] = value;
  return [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
}

const pool = verifier({});
const otherPoolId = `${cfg.userPoolId.split("_")[0]}_SomeOtherPool1`;
const result = {
  jwks_kids: (jwks.keys ?? []).map((k) => k.kid),
  id: check(() => pool.verifySync(cfg.idToken, { tokenUse: "id" })),
  access: check(() => pool.verifySync(cfg.accessToken, { tokenUse: "access" })),
  // What must be refused:
  id_as_access: check(() => pool.verifySync(cfg.idToken, { tokenUse: "access" })),
  access_as_id: check(() => pool.verifySync(cfg.accessToken, { tokenUse: "id" })),
  other_client: check(() => verifier({ clientId: "someotherclientid0000000000" }).verifySync(cfg.idToken, { tokenUse: "id" })),
  tampered_id: check(() => pool.verifySync(tampered(cfg.idToken, "email", "mallory@example.com"), { tokenUse: "id" })),
  other_pool: check(() => {
    const v = CognitoJwtVerifier.create({ userPoolId: otherPoolId, tokenUse: "id", clientId: cfg.clientId });
    v.cacheJwks(jwks);
    return v.verifySync(cfg.idToken);
  }),
};
console.log(`RESULT ${JSON.stringify(result)}`);
