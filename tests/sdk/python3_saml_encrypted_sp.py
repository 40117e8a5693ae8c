"""A python3-saml (OneLogin) service provider with an encryption key pair parses a Response.

Usage: python3_saml_encrypted_sp.py IDP_METADATA SP_KEY SP_CERT RESPONSE_FILE SP_ENTITY_ID ACS_URL
Prints the NameID and the mail attribute as one JSON object; exits non-zero when
python3-saml refuses the Response. Run by tests/encrypted.rs; reads files only.
"""

import json
import sys
from urllib.parse import urlparse

from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

metadata, key, cert, response_file, entity_id, acs = sys.argv[1:7]
with open(response_file, encoding="ascii") as f:
    response = f.read().strip()
with open(metadata, encoding="utf-8") as f:
    idp = OneLogin_Saml2_IdPMetadataParser.parse(f.read())
with open(key, encoding="ascii") as f:
    sp_key = f.read()
with open(cert, encoding="ascii") as f:
    sp_cert = f.read()

settings = {
    "strict": True,
    "sp": {
        "entityId": entity_id,
        "assertionConsumerService": {
            "url": acs,
            "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        },
        "x509cert": sp_cert,
        # The key the IdP encrypted to: python3-saml decrypts with it.
        "privateKey": sp_key,
    },
    "security": {
        "wantAssertionsEncrypted": True,
        "wantAssertionsSigned": True,
        "wantMessagesSigned": False,
        "rejectDeprecatedAlgorithm": True,
    },
}
settings["idp"] = idp["idp"]
saml_settings = OneLogin_Saml2_Settings(settings, sp_validation_only=True)
parsed = OneLogin_Saml2_Response(saml_settings, response)
url = urlparse(acs)
request_data = {"https": "on", "http_host": url.netloc, "script_name": url.path}
if not parsed.is_valid(request_data, raise_exceptions=True):
    sys.exit(f"python3-saml refused the Response: {parsed.get_error()}")
attributes = parsed.get_attributes()
print(
    json.dumps(
        {
            "name_id": parsed.get_nameid(),
            "mail": (attributes.get("mail") or [None])[0],
            "issuer": parsed.get_issuers(),
        }
    )
)
