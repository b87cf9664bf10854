"""What the web version's Python side sees of Tasktalk's output.

Runs the real `tasktalk-server` binary (TASKTALK_SERVER_BIN) and checks its
tokens and hashes with independent Python implementations: PyJWT, as the
FastAPI back end decodes tokens, and Better Auth's scrypt written from its
documented algorithm (and first proven against hashes made by Better Auth).
"""

import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import time
import unicodedata
from pathlib import Path

import jwt
import pytest

BETTER_AUTH = Path(__file__).resolve().parents[1] / "fixtures" / "betterauth"
SECRET = "interop-secret-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD = "Ünïcødé ﬁ ½ password"


def better_auth_scrypt(password: str, salt_hex: str) -> str:
    key = hashlib.scrypt(
        unicodedata.normalize("NFKC", password).encode(),
        salt=salt_hex.encode(),  # the hex text itself is the salt
        n=16384, r=16, p=1, dklen=64, maxmem=64 * 1024 * 1024,
    )
    return key.hex()


def better_auth_verify(password: str, stored: str) -> bool:
    salt_hex, key_hex = stored.split(":")
    return hmac.compare_digest(better_auth_scrypt(password, salt_hex), key_hex)


@pytest.fixture
def server(tmp_path):
    binary = os.environ.get("TASKTALK_SERVER_BIN")
    assert binary and Path(binary).exists(), "set TASKTALK_SERVER_BIN to the built tasktalk-server"
    database = tmp_path / "interop.db"

    def run(*args, stdin="", check=True):
        env = {**os.environ, "DATABASE_URL": str(database), "BETTER_AUTH_SECRET": SECRET}
        done = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, env=env)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    run.database = database
    return run


def test_the_python_scrypt_is_better_auths_algorithm():
    for vector in json.loads((BETTER_AUTH / "hashes.json").read_text()):
        assert better_auth_verify(vector["password"], vector["hash"])
        assert not better_auth_verify(vector["password"] + "x", vector["hash"])


def test_the_jwt_from_sign_in_passes_pyjwt_as_the_web_back_end_decodes_it(server):
    server("user", "create", "--email", "py@example.com", "--name", "Py", stdin=PASSWORD + "\n")
    out = json.loads(server("sign-in", "--email", "py@example.com", stdin=PASSWORD + "\n").stdout)
    claims = jwt.decode(out["token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == out["user"]["id"]
    assert claims["email"] == "py@example.com"
    assert 0 < claims["exp"] - claims["iat"] <= 15 * 60
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(out["token"], "another-secret-0123456789abcdefghijklmnop", algorithms=["HS256"])


def test_token_verify_rejects_what_pyjwt_rejects(server):
    server("user", "create", "--email", "tv@example.com", "--name", "Tv", stdin=PASSWORD + "\n")
    user_id = json.loads(server("user", "list", "--json").stdout)[0]["id"]
    now = int(time.time())
    expired = jwt.encode({"sub": user_id, "iat": now - 3600, "exp": now - 600}, SECRET, algorithm="HS256")
    done = server("token", "verify", expired, check=False)
    assert done.returncode == 1 and "expired" in done.stderr
    good = jwt.encode({"sub": user_id, "iat": now, "exp": now + 600}, SECRET, algorithm="HS256")
    assert json.loads(server("token", "verify", good).stdout)["sub"] == user_id
    # Well signed, but no such account: refused, as every route refuses it.
    nobody = jwt.encode({"sub": "u1", "iat": now, "exp": now + 600}, SECRET, algorithm="HS256")
    done = server("token", "verify", nobody, check=False)
    assert done.returncode == 1 and "no longer exists" in done.stderr


def test_scrypt_hashes_written_by_the_cli_verify_with_better_auths_algorithm(server):
    server("--password-hash", "scrypt", "user", "create", "--email", "sc@example.com", "--name", "S",
           stdin=PASSWORD + "\n")
    with sqlite3.connect(server.database) as db:
        (stored,) = db.execute('select "password" from "account"').fetchone()
    salt_hex, key_hex = stored.split(":")
    assert len(salt_hex) == 32 and len(key_hex) == 128
    assert better_auth_verify(PASSWORD, stored)
    assert better_auth_verify(unicodedata.normalize("NFD", PASSWORD), stored)
    assert not better_auth_verify("wrong password", stored)
