#!/usr/bin/env bash
# The peers of docs/bench/run-http.sh, measured the same way (wrk, one thread,
# 8 keep-alive connections, loopback), so their figures sit beside samlsim's from
# the same sitting. Usage: docs/bench/peers.sh <peers-dir> [seconds]
#
# <peers-dir> holds the tools as their users install them:
#   python3 -m venv <dir>/venv && <dir>/venv/bin/pip install 'moto[server]'
#   cd <dir> && npm install saml-idp@1.2.1
# saml-idp 1.2.1 names its `samlp` dependency as a git URL, which an offline
# machine cannot fetch; `"overrides": {"samlp": "7.0.2"}` in <dir>/package.json
# takes the same library from the npm registry instead.
set -euo pipefail
peers=$(cd "$1" && pwd)
secs=${2:-10}
cd "$(dirname "$0")"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

ready() { # url: waits until something answers
  local start
  start=$(date +%s%N)
  until curl -s -o /dev/null "$1"; do sleep 0.005; done
  echo "ready: $(( ($(date +%s%N) - start) / 1000000 )) ms"
}

echo "== moto $("$peers/venv/bin/pip" show moto | awk '/^Version/ {print $2}'): STS AssumeRoleWithSAML"
"$peers/venv/bin/moto_server" -p 7591 > "$work/moto.log" 2>&1 &
pids+=($!)
ready http://127.0.0.1:7591/
echo "idle RSS: $(ps -o rss= -p "${pids[-1]}") KiB"
# The xmlsec1-signed AWS response of the interop tests (moto reads its Role and
# RoleSessionName attributes; it checks no signature).
assertion=$(base64 -w0 < ../../tests/data/xmlsec1-signed-response.xml)
python3 -c 'import sys,urllib.parse; print(urllib.parse.urlencode({"Action":"AssumeRoleWithSAML","Version":"2011-06-15","RoleArn":"arn:aws:iam::123456789012:role/ConnectFederation","PrincipalArn":"arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP","SAMLAssertion":sys.argv[1]}), end="")' "$assertion" > "$work/sts-body.txt"
(cd "$work" && curl -s -o /dev/null -w "first answer: HTTP %{http_code}\n" -X POST --data-binary @sts-body.txt http://127.0.0.1:7591/)
(cd "$work" && wrk -t1 -c8 -d"${secs}s" -s "$OLDPWD/sts.lua" http://127.0.0.1:7591/ | grep -E 'Requests/sec|Latency|Non-2xx|requests in')
echo "busy RSS: $(ps -o rss= -p "${pids[-1]}") KiB"

echo "== saml-idp $(node -p "require('$peers/node_modules/saml-idp/package.json').version"): IdP-initiated signed Response (POST /signin)"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=saml-idp bench" \
  -keyout "$work/idp-key.pem" -out "$work/idp-cert.pem" 2>/dev/null
(cd "$peers" && exec node node_modules/.bin/saml-idp --port 7592 --host 127.0.0.1 \
  --cert "$work/idp-cert.pem" --key "$work/idp-key.pem" \
  --acsUrl https://signin.aws.amazon.com/saml --audience urn:amazon:webservices \
  > "$work/saml-idp.log" 2>&1) &
pids+=($!)
ready http://127.0.0.1:7592/metadata
node_pid=${pids[-1]}
echo "idle RSS: $(ps -o rss= -p "$node_pid") KiB"
cat > "$work/signin.lua" <<'EOF'
wrk.method = "POST"
wrk.body = "email=alice%40example.com&userName=alice"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
EOF
curl -s -X POST --data "email=alice%40example.com&userName=alice" http://127.0.0.1:7592/signin | grep -c SAMLResponse | sed 's/^/SAMLResponse forms in the first answer: /'
wrk -t1 -c8 -d"${secs}s" -s "$work/signin.lua" http://127.0.0.1:7592/signin | grep -E 'Requests/sec|Latency|Non-2xx|requests in'
echo "busy RSS: $(ps -o rss= -p "$node_pid") KiB"
