#!/bin/sh
# Fills the (gitignored) seed corpora fuzz/corpus/verify and fuzz/corpus/binding.
# Run from anywhere: sh fuzz/seed.sh. Needs the main workspace to build (it signs
# with `samlsim sign`); set SAMLSIM to an existing samlsim binary to skip that
# build. python3 is optional (only for the HTTP-Redirect seeds of `binding`).
set -eu
cd "$(dirname "$0")/.."

SAMLSIM="${SAMLSIM:-cargo run -q --}"
KEY=certs/test-only-idp-key.pem
CERT=certs/test-only-idp-cert.pem
RESPONSE=tests/data/aws-saml-response.xml
V=fuzz/corpus/verify
B=fuzz/corpus/binding
mkdir -p "$V" "$B"

# --- verify: unsigned and signed SAML, and the C14N test vectors -------------
cp "$RESPONSE" "$V/aws-saml-response.xml"
$SAMLSIM sign --key "$KEY" --cert "$CERT" "$RESPONSE" >"$V/aws-saml-response-signed.xml"
$SAMLSIM sign --sha1 --key "$KEY" --cert "$CERT" "$RESPONSE" >"$V/aws-saml-response-signed-sha1.xml"
# Assertion signed, then the Response around it: two signatures, nested.
assertion_id=$(sed -n 's/.*<saml:Assertion [^>]*ID="\([^"]*\)".*/\1/p' "$RESPONSE" | head -n 1)
$SAMLSIM sign --key "$KEY" --cert "$CERT" --id "$assertion_id" "$RESPONSE" >"$V/aws-saml-assertion-signed.xml"
$SAMLSIM sign --key "$KEY" --cert "$CERT" - <"$V/aws-saml-assertion-signed.xml" >"$V/aws-saml-both-signed.xml"
# A signature made by xmlsec1 (indented ds:Signature, as real IdPs send it).
cp tests/data/xmlsec1-signed-response.xml "$V/xmlsec1-signed-response.xml"
for input in crates/xml/tests/vectors/*/input.xml; do
    name=$(basename "$(dirname "$input")")
    cp "$input" "$V/vector-$name.xml"
done
# Minimised regression inputs found earlier, if any.
for r in fuzz/regressions/verify-*; do
    if [ -f "$r" ]; then cp "$r" "$V/"; fi
done

# --- decrypt: samlsim's encryption with each cipher, and xmlsec1's -------------
D=fuzz/corpus/decrypt
mkdir -p "$D"
for alg in aes256-gcm aes128-gcm aes256-cbc aes128-cbc; do
    for kt in rsa-oaep-mgf1p rsa-oaep; do
        $SAMLSIM encrypt --cert "$CERT" --algorithm "$alg" --key-transport "$kt" \
            "$V/aws-saml-assertion-signed.xml" >"$D/samlsim-$alg-$kt.xml"
    done
done
cp tests/data/xmlsec1-encrypted-response.xml "$D/xmlsec1-encrypted-response.xml"

# --- binding: raw XML, HTTP-POST, HTTP-Redirect, URL-encoded, query strings --
for xml in "$V/aws-saml-response.xml" "$V/aws-saml-response-signed.xml"; do
    name=$(basename "$xml" .xml)
    cp "$xml" "$B/$name.raw"
    post=$(base64 -w 0 "$xml")
    printf '%s' "$post" >"$B/$name.post"
    base64 -w 76 "$xml" >"$B/$name.post-wrapped"
    printf 'SAMLResponse=%s&RelayState=x' "$(printf '%s' "$post" | sed 's/+/%2B/g; s/\//%2F/g; s/=/%3D/g')" \
        >"$B/$name.post-form"
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$xml" "$B/$name" <<'EOF'
import base64, sys, urllib.parse, zlib
xml = open(sys.argv[1], "rb").read()
c = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE, no zlib header
value = base64.b64encode(c.compress(xml) + c.flush()).decode()
open(sys.argv[2] + ".redirect", "w").write(value)
query = urllib.parse.urlencode({"SAMLRequest": value, "RelayState": "r", "SigAlg": "a"})
open(sys.argv[2] + ".redirect-url", "w").write("http://127.0.0.1/sso?" + query)
z = zlib.compressobj(9, zlib.DEFLATED, 15)  # zlib-wrapped: a common mistake
open(sys.argv[2] + ".redirect-zlib", "w").write(base64.b64encode(z.compress(xml) + z.flush()).decode())
EOF
    fi
done
if command -v python3 >/dev/null 2>&1; then
    # A DEFLATE bomb (8 MiB of XML from a few KiB), to exercise the inflation cap.
    python3 - "$B/bomb.redirect" <<'EOF'
import base64, sys, zlib
c = zlib.compressobj(9, zlib.DEFLATED, -15)
xml = b"<r>" + b"a" * (8 * 1024 * 1024) + b"</r>"
open(sys.argv[1], "w").write(base64.b64encode(c.compress(xml) + c.flush()).decode())
EOF
fi
printf 'SAMLRequest=PHIvPg%%3D%%3D&SAMLResponse=PHIvPg%%3D%%3D' >"$B/two-messages.form"
for r in fuzz/regressions/binding-*; do
    if [ -f "$r" ]; then cp "$r" "$B/"; fi
done

echo "verify: $(ls "$V" | wc -l) seeds, binding: $(ls "$B" | wc -l) seeds"
