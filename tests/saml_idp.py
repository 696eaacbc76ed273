"""A SAML 2.0 identity provider for the tests: pysaml2's IdP (its own key and certificate, assertions
signed with the xmlsec1 program), reading the product's SP metadata as a real IdP is given it.

``answer(saml_request)`` takes the product's AuthnRequest (the HTTP-Redirect binding's
``SAMLRequest``) and returns the base64 ``SAMLResponse`` for the ACS: a signed assertion about
``person`` (friendly attribute names, sent by their OIDs), or, with ``sign=False``, an unsigned
one; ``audience`` and ``lifetime_minutes`` make one meant for another SP or already expired."""

import base64
import datetime
import re
import shutil

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.server import Server

ENTITY_ID = "https://idp.example.edu/idp/shibboleth"
SSO_URL = "https://idp.example.edu/idp/profile/SAML2/Redirect/SSO"
OTHER_SP = "https://another-sp.example.edu/metadata"


def _key_and_certificate(folder):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.edu")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class SAMLIdentityProvider:
    def __init__(self, folder, sp_metadata):
        self.folder = folder
        self.key_file, self.cert_file = _key_and_certificate(folder)
        (folder / "sp.xml").write_bytes(sp_metadata)
        # Another service provider the IdP also serves (same endpoints): an assertion meant for it
        # is signed as well as the product's own.
        (folder / "other-sp.xml").write_bytes(
            re.sub(rb'entityID="[^"]+"', f'entityID="{OTHER_SP}"'.encode(), sp_metadata, count=1)
        )
        self.person = {}
        self._server = self._make_server(lifetime_minutes=15)

    @property
    def certificate_body(self):
        """The certificate as SP settings take it: the PEM's base64 body."""
        lines = self.cert_file.read_text().strip().splitlines()
        return "".join(line for line in lines if "CERTIFICATE" not in line)

    def _make_server(self, *, lifetime_minutes):
        config = IdPConfig()
        config.load(
            {
                "entityid": ENTITY_ID,
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)]},
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {"default": {"lifetime": {"minutes": lifetime_minutes}}},
                    }
                },
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"local": [str(self.folder / "sp.xml"), str(self.folder / "other-sp.xml")]},
                "xmlsec_binary": shutil.which("xmlsec1"),
            }
        )
        return Server(config=config)

    def answer(self, saml_request, *, sign=True, audience=None, lifetime_minutes=15, tamper=None):
        server = (
            self._server if lifetime_minutes == 15 else self._make_server(lifetime_minutes=lifetime_minutes)
        )
        request = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        arguments = server.response_args(request, [BINDING_HTTP_POST])
        if audience:
            arguments["sp_entity_id"] = audience
        response = server.create_authn_response(
            identity=self.person,
            userid=self.person.get("eduPersonPrincipalName", ["nobody"])[0],
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_assertion=sign,
            sign_response=False,
            # SHA-256: python3-saml refuses SHA-1, which pysaml2 uses unless told.
            sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
            **arguments,
        )
        xml = str(response)
        if tamper:
            xml = xml.replace(*tamper)
        return base64.b64encode(xml.encode()).decode(), arguments["destination"]
