#!/usr/bin/env bash
# HTTP benchmarks of a release samlsim on loopback, as in docs/benchmarks.md.
# Needs wrk and curl; wrk one thread, 8 keep-alive connections (as peers.sh).
# Usage: docs/bench/run-http.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-10}
port=7590
base=http://127.0.0.1:$port
bin=../../target/release/samlsim
# Logs and request bodies go to a folder of their own, not into the repository.
work=$(mktemp -d)
start=$(date +%s%N)
$bin up --in-memory --listen 127.0.0.1:$port > "$work/up.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
until curl -sf $base/_admin/clock > /dev/null; do sleep 0.005; done
echo "ready (process start to first answer): $(( ($(date +%s%N) - start) / 1000000 )) ms; banner: $(grep -o 'ready in [0-9]* ms' "$work/up.log")"
echo "idle RSS: $(ps -o rss= -p $pid) KiB"

jar="$work/cookies"
curl -s -c $jar -b $jar -o /dev/null $base/idp/portal
curl -s -c $jar -b $jar -o /dev/null -d 'username=alice&password=alice-pass&continue=%2Fidp%2Fportal' $base/idp/login
cookie=$(awk '$6 ~ /samlsim_idp_session|samlsim_flow/ {printf "%s=%s; ", $6, $7}' $jar)
echo "== IdP-initiated signed response (GET /idp/launch/connect-us-east-1)"
wrk -t1 -c8 -d${secs}s -H "Cookie: $cookie" $base/idp/launch/connect-us-east-1 | grep -E 'Requests/sec|Latency|Non-2xx|requests in'

assertion=$(curl -s -b "$cookie" $base/idp/launch/connect-us-east-1 | grep -o 'name="SAMLResponse" value="[^"]*"' | sed 's/.*value="//; s/"$//')
python3 -c 'import sys,urllib.parse; print(urllib.parse.urlencode({"Action":"AssumeRoleWithSAML","Version":"2011-06-15","RoleArn":"arn:aws:iam::123456789012:role/ConnectFederation","PrincipalArn":"arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP","SAMLAssertion":sys.argv[1]}), end="")' "$assertion" > "$work/sts-body.txt"
echo "== STS AssumeRoleWithSAML, full validation (POST /aws/sts.amazonaws.com/)"
(cd "$work" && wrk -t1 -c8 -d${secs}s -s "$OLDPWD/sts.lua" $base/aws/sts.amazonaws.com/) | grep -E 'Requests/sec|Latency|Non-2xx|requests in'
echo "busy RSS: $(ps -o rss= -p $pid) KiB"
