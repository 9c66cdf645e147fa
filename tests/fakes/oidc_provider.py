"""A small OpenID Connect provider on loopback, for testing the panel's department sign-in.

It speaks the authorization code flow the way a department's provider does: discovery document,
an authorization endpoint (which "signs the user in" at once, as whoever the test chose), a token
endpoint that checks the client's secret, the code and the redirect URI and answers with an
RS256-signed ID token, and the key set to verify it. Tests can make it misbehave (a token signed
with a key it does not publish, a wrong audience, an unverified e-mail) to see the panel refuse.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

CLIENT_ID = "gc-bridge-panel"
CLIENT_SECRET = "provider-test-secret"


@lru_cache(maxsize=2)
def signing_key(name: str) -> RSAKey:
    """An RSA key per name, generated once per test session (generating one takes a while)."""
    return RSAKey.generate_key(2048, auto_kid=True)


@dataclass
class Identity:
    """Who the provider says is signing in, and how it may misbehave."""

    email: str = "someone@tbs-sct.gc.ca"
    # None leaves the claim out of the ID token, as Entra ID often does.
    email_verified: bool | None = True
    # The provider's stable id of the person; by default one per e-mail address.
    subject: str | None = None
    name: str = "Someone"
    audience: str = CLIENT_ID
    sign_with_unpublished_key: bool = False


@dataclass
class OIDCProvider:
    base_url: str = ""
    identity: Identity = field(default_factory=Identity)
    key: RSAKey = field(default_factory=lambda: signing_key("published"))
    rogue_key: RSAKey = field(default_factory=lambda: signing_key("rogue"))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def app(self) -> Flask:
        provider = Flask("oidc-provider")

        @provider.get("/.well-known/openid-configuration")
        def discovery() -> Response:
            return jsonify(
                issuer=self.base_url,
                authorization_endpoint=f"{self.base_url}/authorize",
                token_endpoint=f"{self.base_url}/token",
                jwks_uri=f"{self.base_url}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                token_endpoint_auth_methods_supported=["client_secret_basic"],
                code_challenge_methods_supported=["S256"],
            )

        @provider.get("/jwks")
        def jwks() -> Response:
            return jsonify(keys=[self.key.as_dict(private=False)])

        @provider.get("/authorize")
        def authorize() -> Any:
            arguments = request.args
            if arguments.get("client_id") != CLIENT_ID or arguments.get("response_type") != "code":
                return jsonify(error="invalid_request"), 400
            if arguments.get("code_challenge_method") != "S256" or not arguments.get(
                "code_challenge"
            ):
                return jsonify(error="invalid_request", error_description="PKCE S256 required"), 400
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "redirect_uri": arguments["redirect_uri"],
                "nonce": arguments.get("nonce"),
                "challenge": arguments["code_challenge"],
            }
            query = urlencode({"code": code, "state": arguments.get("state", "")})
            return redirect(f"{arguments['redirect_uri']}?{query}")

        @provider.post("/token")
        def token() -> Any:
            form = request.form.to_dict()
            self.token_requests.append(form)
            auth = request.authorization
            if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
                return jsonify(error="invalid_client"), 401
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                return jsonify(error="invalid_grant"), 400
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if digest.decode() != grant["challenge"]:
                return jsonify(error="invalid_grant", error_description="PKCE verifier"), 400
            return jsonify(
                access_token=secrets.token_urlsafe(16),
                token_type="Bearer",
                expires_in=300,
                id_token=self._id_token(grant["nonce"]),
            )

        return provider

    def _id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        identity = self.identity
        claims = {
            "iss": self.base_url,
            "sub": identity.subject or f"subject-{identity.email}",
            "aud": identity.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": identity.email,
            "name": identity.name,
        }
        if identity.email_verified is not None:
            claims["email_verified"] = identity.email_verified
        key = self.rogue_key if identity.sign_with_unpublished_key else self.key
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, key)


@contextmanager
def serve_provider() -> Iterator[OIDCProvider]:
    """The provider on 127.0.0.1 (ephemeral port), in a thread, for the length of the block."""
    provider = OIDCProvider()
    server = make_server("127.0.0.1", 0, provider.app(), threaded=True)
    provider.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=5)
