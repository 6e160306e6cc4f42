#!/usr/bin/env python3
"""Seeds a fresh server for the API fuzz and prints a staff token.

Signs in as the administrator, creates a 受付職員 of agency 1, enrols their
second factor (the pack requires it; the code is computed here, RFC 6238),
and takes one consultation so that ids in paths meet real records.
Standard library only.
"""
import base64
import hashlib
import hmac
import json
import struct
import sys
import time
import urllib.request

BASE = sys.argv[1].rstrip("/")
ADMIN_PASSWORD = sys.argv[2]
STAFF_PASSWORD = "Fuzz-Staff-2026!x"


def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def totp(secret, at):
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1_000_000)


admin = call("POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})["token"]
call("POST", "/api/v1/users", {"username": "fuzz.staff", "password": STAFF_PASSWORD,
                               "display_name": "検査 太郎", "agency_ids": [1], "role": "staff"}, admin)
staff = call("POST", "/api/v1/auth/login", {"username": "fuzz.staff", "password": STAFF_PASSWORD})["token"]
secret = call("POST", "/api/v1/me/totp", {}, staff)["secret"]
call("POST", "/api/v1/me/totp/confirm", {"code": totp(secret, time.time())}, staff)
call("POST", "/api/v1/consultations", {
    "method": "phone", "person": {"name": "検査 花子", "kana": "けんさ はなこ"},
    "concerns": [{"category": "介護のこと", "main": True}], "chief_complaint": "母の介護",
    "household": [{"name": "検査 花子", "relationship": "本人", "consent": "yes"}]}, staff)
print(staff)
