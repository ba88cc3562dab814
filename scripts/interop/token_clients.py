#!/usr/bin/env python3
"""Acquires an access token from a TrustGate token service with a real third-party client, then verifies it
with independent libraries. Run by Tests/TrustGateGatewayTests/TokenServiceInteropTests.swift.

    token_clients.py CLIENT --issuer URL --ca CA.pem --client-id ID --cert CERT.pem --key KEY.pem \
        --scope SCOPE --resource AUDIENCE

CLIENT is one of msal-public-certificate, msal-thumbprint, authlib-private-key-jwt, roc-mtls.

Prints one JSON object on stdout: {"ok": true, "client", "versions", "header", "claims", "verified_by"} or
{"ok": false, "stage", "error", ...}. The access token itself is never printed. Exit 0 when the token was issued
and verified, 1 when something failed, 77 when a package is missing (the test skips).

REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE override `verify=` in requests-based clients: the caller removes them from
this process's environment, and every client below is given the test CA explicitly.
"""

import argparse
import base64
import hashlib
import importlib
import json
import ssl
import sys

PACKAGES = {
    "msal": "msal",
    "authlib": "authlib",
    "requests_oauth2client": "requests-oauth2client",
    "joserfc": "joserfc",
    "jwt": "pyjwt",
    "cryptography": "cryptography",
    "requests": "requests",
}


def emit(result, code):
    print(json.dumps(result, sort_keys=True))
    sys.exit(code)


def versions():
    from importlib import metadata
    found = {}
    for distribution in PACKAGES.values():
        try:
            found[distribution] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            found[distribution] = None
    return found


def check_packages():
    missing = []
    for module, distribution in PACKAGES.items():
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(distribution)
    if missing:
        emit({"ok": False, "stage": "packages", "missing": missing}, 77)


def b64url_json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def read(path):
    with open(path, "r", encoding="utf-8") as handle:
        return handle.read()


def leaf_certificate(path):
    from cryptography import x509
    return x509.load_pem_x509_certificates(read(path).encode())[0]


class TokenRequestRecorder:
    """A requests response hook that keeps what each token request put on the wire, minus the credentials: the
    form's parameter names, grant_type, client_id, and the decoded JOSE header of a client assertion."""

    def __init__(self):
        self.requests = []

    def attach(self, session):
        session.hooks.setdefault("response", []).append(self.record)
        return session

    def record(self, response, *args, **kwargs):
        from urllib.parse import parse_qs
        request = response.request
        if request.method != "POST":
            return response
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        form = {key: values[0] for key, values in parse_qs(body).items()}
        entry = {
            "url": request.url, "status": response.status_code, "form_keys": sorted(form),
            "grant_type": form.get("grant_type"), "client_id": form.get("client_id"),
            "basic_authorization": (request.headers.get("Authorization") or "").lower().startswith("basic "),
        }
        if "client_assertion" in form:
            entry["client_assertion_header"] = b64url_json(form["client_assertion"].split(".")[0])
        if response.status_code != 200:
            entry["response"] = response.text
        self.requests.append(entry)
        return response


RECORDER = TokenRequestRecorder()


class Failure(Exception):
    def __init__(self, stage, error, **details):
        super().__init__(error)
        self.stage = stage
        self.details = dict(details, error=str(error))


# Clients ----------------------------------------------------------------------------------------------------------

def msal_token(args, form):
    import msal
    leaf = leaf_certificate(args.cert)
    if form == "public_certificate":
        # PS256, x5c and x5t#S256 (MSAL >= 1.29 picks PS256 when it can compute the SHA-256 thumbprint).
        from cryptography.hazmat.primitives.serialization import Encoding
        credential = {"private_key": read(args.key), "public_certificate": leaf.public_bytes(Encoding.PEM).decode()}
    else:
        # The legacy form: a hex SHA-1 thumbprint only, so RS256 and x5t.
        from cryptography.hazmat.primitives import hashes
        credential = {"private_key": read(args.key), "thumbprint": leaf.fingerprint(hashes.SHA1()).hex().upper()}
    import requests
    # MSAL ignores `verify=` when given an http_client, so the session carries the CA itself.
    session = RECORDER.attach(requests.Session())
    session.verify = args.ca
    try:
        app = msal.ConfidentialClientApplication(
            args.client_id, client_credential=credential, oidc_authority=args.issuer, http_client=session)
        result = app.acquire_token_for_client(scopes=[args.scope])
    except Exception as error:  # MSAL raises on discovery failures
        raise Failure("msal", repr(error))
    if "access_token" not in result:
        raise Failure("token", "MSAL returned no access token",
                      response={k: v for k, v in result.items() if k != "access_token"})
    return result["access_token"], {"token_type": result.get("token_type"), "expires_in": result.get("expires_in")}


def authlib_token(args):
    import requests
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oauth2.rfc7523 import PrivateKeyJWT
    metadata = requests.get(args.issuer + "/.well-known/openid-configuration", verify=args.ca, timeout=30).json()
    token_endpoint = metadata["token_endpoint"]
    session = OAuth2Session(
        args.client_id, read(args.key),
        token_endpoint_auth_method=PrivateKeyJWT(token_endpoint, alg="RS256"),
        scope=args.scope)
    RECORDER.attach(session)
    session.verify = args.ca
    try:
        token = session.fetch_token(token_endpoint, grant_type="client_credentials", verify=args.ca)
    except Exception as error:
        raise Failure("token", repr(error))
    return token["access_token"], {"token_type": token.get("token_type"), "expires_in": token.get("expires_in")}


def roc_mtls_token(args):
    """tls_client_auth (RFC 8705 §2.1): the certificate on the TLS connection, client_id in the body."""
    import requests
    from requests_oauth2client import OAuth2Client, PublicApp
    session = RECORDER.attach(requests.Session())
    session.verify = args.ca
    session.cert = (args.cert, args.key)
    try:
        client = OAuth2Client.from_discovery_endpoint(
            issuer=args.issuer, auth=PublicApp(args.client_id), session=session)
        token = client.client_credentials(scope=args.scope)
    except Exception as error:
        raise Failure("token", repr(error), response=getattr(getattr(error, "response", None), "text", None))
    return token.access_token, {"token_type": token.token_type, "expires_in": token.expires_in}


# Verification -----------------------------------------------------------------------------------------------------

def fetch_jwks(args):
    import requests
    metadata = requests.get(args.issuer + "/.well-known/openid-configuration", verify=args.ca, timeout=30).json()
    jwks_uri = metadata["jwks_uri"]
    return jwks_uri, requests.get(jwks_uri, verify=args.ca, timeout=30).json()


def verify_with_joserfc(args, token, jwks, header):
    from joserfc import jwt
    from joserfc.jwk import KeySet
    decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=[header["alg"]])
    if decoded.header.get("typ") != "at+jwt":
        raise Failure("joserfc", "typ is %r, not at+jwt" % decoded.header.get("typ"))
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": args.issuer},
        aud={"essential": True, "value": args.resource},
        sub={"essential": True},
        exp={"essential": True},
    ).validate(decoded.claims)
    return decoded.claims


def verify_with_pyjwt(args, token, jwks_uri):
    import jwt
    context = ssl.create_default_context(cafile=args.ca)
    key = jwt.PyJWKClient(jwks_uri, ssl_context=context).get_signing_key_from_jwt(token)
    return jwt.decode(
        token, key.key, algorithms=["RS256", "PS256", "ES256"], audience=args.resource, issuer=args.issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]})


def verify_with_authlib_rfc9068(args, token, jwks):
    from authlib.oauth2.rfc9068 import JWTBearerTokenValidator

    class Validator(JWTBearerTokenValidator):
        def get_jwks(self):
            return jwks

    validator = Validator(issuer=args.issuer, resource_server=args.resource)
    claims = validator.authenticate_token(token)
    # Raises InvalidTokenError / InsufficientScopeError when typ, iss, aud, exp or the role do not hold.
    validator.validate_token(claims, scopes=None, request=None, roles=["service-api"])
    return dict(claims)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("client", choices=["msal-public-certificate", "msal-thumbprint", "authlib-private-key-jwt", "roc-mtls"])
    for name in ("--issuer", "--ca", "--client-id", "--cert", "--key", "--scope", "--resource"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    check_packages()
    result = {"client": args.client, "versions": versions()}
    try:
        if args.client == "msal-public-certificate":
            token, response = msal_token(args, "public_certificate")
        elif args.client == "msal-thumbprint":
            token, response = msal_token(args, "thumbprint")
        elif args.client == "authlib-private-key-jwt":
            token, response = authlib_token(args)
        else:
            token, response = roc_mtls_token(args)
        result["token_response"] = response
        header_segment, claims_segment = token.split(".")[0:2]
        result["header"] = b64url_json(header_segment)
        result["claims"] = b64url_json(claims_segment)
        leaf = leaf_certificate(args.cert)
        from cryptography.hazmat.primitives.serialization import Encoding
        der = leaf.public_bytes(Encoding.DER)
        result["certificate_x5t_s256"] = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()

        stage = "jwks"
        jwks_uri, jwks = fetch_jwks(args)
        verified = []
        stage = "joserfc"
        verify_with_joserfc(args, token, jwks, result["header"])
        verified.append("joserfc")
        stage = "pyjwt"
        verify_with_pyjwt(args, token, jwks_uri)
        verified.append("pyjwt")
        stage = "authlib-rfc9068"
        verify_with_authlib_rfc9068(args, token, jwks)
        verified.append("authlib-rfc9068")
        result["verified_by"] = verified
    except Failure as failure:
        result.update(failure.details, ok=False, stage=failure.stage, token_requests=RECORDER.requests)
        emit(result, 1)
    except Exception as error:
        result.update(ok=False, stage=locals().get("stage", "client"), error=repr(error), token_requests=RECORDER.requests)
        emit(result, 1)
    result["ok"] = True
    result["token_requests"] = RECORDER.requests
    emit(result, 0)


if __name__ == "__main__":
    main()
