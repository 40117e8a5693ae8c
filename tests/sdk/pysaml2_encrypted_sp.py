"""A pysaml2 service provider with an encryption key pair parses a Response.

Usage: pysaml2_encrypted_sp.py IDP_METADATA SP_KEY SP_CERT RESPONSE_FILE SP_ENTITY_ID ACS_URL
Prints the NameID and the mail attribute as one JSON object; exits non-zero when
pysaml2 refuses the Response. Run by tests/encrypted.rs; reads files only.
"""

import json
import shutil
import sys

from saml2 import BINDING_HTTP_POST
from saml2.client import Saml2Client
from saml2.config import SPConfig

metadata, key, cert, response_file, entity_id, acs = sys.argv[1:7]
with open(response_file, encoding="ascii") as f:
    response = f.read().strip()

config = SPConfig()
config.load(
    {
        "entityid": entity_id,
        "key_file": key,
        "cert_file": cert,
        # The key pair the IdP encrypted to: pysaml2 decrypts with it.
        "encryption_keypairs": [{"key_file": key, "cert_file": cert}],
        "metadata": {"local": [metadata]},
        "xmlsec_binary": shutil.which("xmlsec1"),
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
                # IdP-initiated: no AuthnRequest to answer.
                "allow_unsolicited": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
            }
        },
    }
)
client = Saml2Client(config=config)
parsed = client.parse_authn_request_response(response, BINDING_HTTP_POST)
if parsed is None:
    sys.exit("pysaml2 returned no response")
assertion = parsed.assertion
print(
    json.dumps(
        {
            "name_id": parsed.name_id.text,
            "mail": (parsed.ava.get("mail") or [None])[0],
            "issuer": parsed.issuer(),
            "assertion_signed": assertion.signature is not None,
        }
    )
)
