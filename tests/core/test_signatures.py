"""The session signature, against the vectors captured from the real SDK (contract §2.1)."""

from __future__ import annotations

from objectbase.security.signatures import sign_params, signing_string, verify_signature


def test_sha1_vector_with_user_credentials() -> None:
    params = {"application_id": "1", "auth_key": "AUTHKEY", "nonce": "5979", "timestamp": "1795485100",
              "user": {"login": "bob", "password": "p@ss w&rd"}}
    assert signing_string(params) == ("application_id=1&auth_key=AUTHKEY&nonce=5979&timestamp=1795485100"
                                      "&user[login]=bob&user[password]=p@ss w&rd")
    assert sign_params(params, "SECRET") == "dfd21ecdb4557e8a16060b53b722470835e35ad1"


def test_sha256_vector_and_json_numbers() -> None:
    signature = "49f2717059db7e44f25242d947ea2f77578a36c23af6f307f6bfdbeabe55ec7f"
    params: dict[str, object] = {"application_id": 1, "auth_key": "AUTHKEY", "nonce": 99, "timestamp": 1795485138,
                                 "signature": signature}
    assert verify_signature(params, "SECRET", signature)
    assert not verify_signature(params, "OTHER", signature)
    assert not verify_signature(params, "SECRET", "abc")
