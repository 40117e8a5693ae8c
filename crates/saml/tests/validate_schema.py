#!/usr/bin/env python3
"""Validates SAML documents against the OASIS SAML 2.0 XML schemas, offline.

Usage: validate_schema.py {protocol|metadata} FILE...

The schemas are the copies shipped in the pysaml2 package
(saml2/data/schemas/); validation uses the xmlschema package, which pysaml2
depends on (so `pip install pysaml2` installs both). The OASIS schemas import
XML-DSig, XML-Enc and xml.xsd by their web addresses; every namespace is
mapped to its local copy here, and the loader is restricted to local files
(allow="local"), so nothing is ever fetched.

Prints "ok FILE" for each valid file and "invalid FILE: at PATH: reason" for
each error of the others, and exits 0
only if every file is valid (1 if any is invalid, 2 on usage errors).
Run by crates/saml/tests/schema.rs.
"""

import os
import sys

import saml2
import xmlschema

SCHEMAS = os.path.join(os.path.dirname(saml2.__file__), "data", "schemas")

# namespace -> local schema file, for every import the SAML schemas make.
LOCATIONS = [
    ("urn:oasis:names:tc:SAML:2.0:assertion", "saml-schema-assertion-2.0.xsd"),
    ("urn:oasis:names:tc:SAML:2.0:protocol", "saml-schema-protocol-2.0.xsd"),
    ("urn:oasis:names:tc:SAML:2.0:metadata", "saml-schema-metadata-2.0.xsd"),
    ("http://www.w3.org/2000/09/xmldsig#", "xmldsig-core-schema.xsd"),
    ("http://www.w3.org/2001/04/xmlenc#", "xenc-schema.xsd"),
    ("http://www.w3.org/XML/1998/namespace", "xml.xsd"),
]

ENTRY_POINTS = {
    "protocol": "saml-schema-protocol-2.0.xsd",
    "metadata": "saml-schema-metadata-2.0.xsd",
}


def load(kind):
    locations = [(ns, os.path.join(SCHEMAS, f)) for ns, f in LOCATIONS]
    return xmlschema.XMLSchema(
        os.path.join(SCHEMAS, ENTRY_POINTS[kind]),
        locations=locations,
        allow="local",
    )


def main(argv):
    if len(argv) < 3 or argv[1] not in ENTRY_POINTS:
        print(__doc__, file=sys.stderr)
        return 2
    schema = load(argv[1])
    failed = False
    for path in argv[2:]:
        errors = list(schema.iter_errors(path))
        for error in errors:
            # reason and path only: the full message repeats the schema and instance.
            print(f"invalid {path}: at {error.path}: {error.reason}")
        if errors:
            failed = True
        else:
            print(f"ok {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
