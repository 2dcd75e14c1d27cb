"""Python helpers for scripts/stack/* (run with the stack venv's python).

Subcommands:
  verify-mlflow-install            check the mlflow dist files match their RECORD hashes
  pg-check URI                     exit 0 if PostgreSQL at URI accepts a connection
  pg-ensure-dbs URI...             connect to each URI, creating missing databases if allowed
  s3-setup [--skip-verify] BUCKET...   create buckets; verify SigV4 refusal + multipart upload
  auth-setup BASE ADMIN APW READER RPW create/refresh the READ-only user on the basic-auth server
  write-env SH JSON                read KEY=VALUE lines on stdin, write env.sh and env.json
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shlex
import sys
import time


def log(msg: str) -> None:
    print(f"stackctl: {msg}", flush=True)


# --------------------------------------------------------------------------- mlflow install
def verify_mlflow_install() -> int:
    import importlib.metadata as md

    dist = md.distribution("mlflow")
    bad, checked = [], 0
    for f in dist.files or []:
        if not f.hash or f.hash.mode != "sha256":
            continue
        p = f.locate()
        try:
            data = open(p, "rb").read()
        except FileNotFoundError:
            bad.append(f"missing {f}")
            continue
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        checked += 1
        if digest != f.hash.value:
            bad.append(f"modified {f}")
    log(f"mlflow {dist.version}: {checked} files checked, {len(bad)} mismatches")
    for b in bad[:20]:
        log(b)
    return 1 if bad or checked < 100 else 0


# --------------------------------------------------------------------------- postgres
def pg_check(uri: str) -> int:
    import psycopg2

    try:
        psycopg2.connect(uri, connect_timeout=3).close()
    except psycopg2.OperationalError as e:
        if "does not exist" in str(e):  # the server answers; pg-ensure-dbs creates the database
            return 0
        print(f"stackctl: {str(e).strip()}", file=sys.stderr)
        return 1
    return 0


def pg_ensure_dbs(uris: list[str]) -> int:
    import psycopg2
    from psycopg2 import sql
    from urllib.parse import urlsplit, urlunsplit

    def with_db(uri: str, db: str) -> str:
        p = urlsplit(uri)
        return urlunsplit((p.scheme, p.netloc, "/" + db, p.query, p.fragment))

    missing = []
    for uri in uris:
        try:
            psycopg2.connect(uri, connect_timeout=5).close()
        except psycopg2.OperationalError as e:
            if "does not exist" not in str(e):
                log(f"cannot connect: {str(e).strip()}")
                return 1
            missing.append(urlsplit(uri).path.lstrip("/"))
    if not missing:
        return 0
    # create them from a maintenance database, with the same credentials
    conn = None
    for cand in [with_db(uris[0], "postgres"), with_db(uris[0], "template1"), *uris]:
        try:
            conn = psycopg2.connect(cand, connect_timeout=5)
            break
        except psycopg2.OperationalError:
            continue
    if conn is None:
        log(f"databases {missing} are missing and no maintenance database accepts these credentials")
        return 1
    conn.autocommit = True
    rc = 0
    for db in missing:
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
            log(f"created database {db}")
        except Exception as e:  # noqa: BLE001
            log(f"database {db} is missing and could not be created: {str(e).strip()}")
            rc = 1
    conn.close()
    return rc


# --------------------------------------------------------------------------- S3
def _s3(key: str, secret: str, *, unsigned: bool = False):
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    cfg = Config(
        signature_version=UNSIGNED if unsigned else "s3v4",
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=30,
    )
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT"],
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name=os.environ.get("STACK_S3_REGION", "us-east-1"),
        config=cfg,
    )


def _err_code(fn) -> str:
    from botocore.exceptions import ClientError

    try:
        fn()
    except ClientError as e:
        return e.response.get("Error", {}).get("Code", "?") + f" (HTTP {e.response.get('ResponseMetadata', {}).get('HTTPStatusCode')})"
    return "NO ERROR"


def s3_setup(args: list[str]) -> int:
    from botocore.exceptions import ClientError, EndpointConnectionError

    skip_verify = "--skip-verify" in args
    buckets = [a for a in args if not a.startswith("--")]
    ak, sk = os.environ["STACK_S3_ACCESS_KEY"], os.environ["STACK_S3_SECRET_KEY"]
    s3 = _s3(ak, sk)
    wait = float(os.environ.get("STACK_S3_WAIT", "120"))

    # 1) the gateway answers once filer + volume server are up: bounded retry
    deadline, tries, last = time.monotonic() + wait, 0, None
    while tries < 1000 and time.monotonic() < deadline:
        tries += 1
        try:
            s3.list_buckets()
            log(f"list_buckets ok after {tries} tries ({time.monotonic() - deadline + wait:.1f}s)")
            break
        except (ClientError, EndpointConnectionError, Exception) as e:  # noqa: BLE001
            if tries == 1 or type(e) is not type(last):
                log(f"list_buckets not ready yet: {e}")
            last = e
            time.sleep(0.5)
    else:
        log(f"S3 never answered list_buckets in {wait}s / {tries} tries: {last}")
        return 1

    # 2) buckets (idempotent); a fresh volume server may need a moment to allocate volumes
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for b in buckets:
        if b in existing:
            log(f"bucket {b} exists")
            continue
        s3.create_bucket(Bucket=b)
        log(f"bucket {b} created")

    probe_bucket = buckets[0]
    deadline, tries = time.monotonic() + wait, 0
    while True:
        tries += 1
        try:
            s3.put_object(Bucket=probe_bucket, Key=".stack-selftest/probe", Body=b"probe")
            s3.delete_object(Bucket=probe_bucket, Key=".stack-selftest/probe")
            break
        except ClientError as e:
            if tries >= 240 or time.monotonic() > deadline:
                log(f"put_object keeps failing: {e}")
                return 1
            time.sleep(0.5)
    log(f"put/delete probe object ok after {tries} tries ({time.monotonic() - deadline + wait:.1f}s)")
    if skip_verify:
        return 0

    ok = True
    # 3) SigV4 must be checked: wrong secret, unknown key, anonymous must all be refused
    checks = {
        "wrong secret": (_s3(ak, sk + "-wrong"), ("SignatureDoesNotMatch",)),
        "unknown access key": (_s3("no-such-access-key", sk), ("InvalidAccessKeyId",)),
        "anonymous": (_s3(ak, sk, unsigned=True), ("AccessDenied",)),
    }
    for what, (client, expected) in checks.items():
        for op_name, op in (
            ("ListBuckets", lambda c=client: c.list_buckets()),
            ("PutObject", lambda c=client: c.put_object(Bucket=probe_bucket, Key=".stack-selftest/denied", Body=b"x")),
        ):
            code = _err_code(op)
            good = code.split(" ")[0] in expected
            ok &= good
            log(f"{what:18s} {op_name:10s} -> {code} {'ok' if good else 'UNEXPECTED (expected ' + '/'.join(expected) + ')'}")
    try:
        s3.head_object(Bucket=probe_bucket, Key=".stack-selftest/denied")
        log("an unauthenticated PutObject was stored!")
        ok = False
    except ClientError:
        pass

    # 4) multipart upload: create / upload_part x2 / list / complete; create / abort
    key = ".stack-selftest/multipart.bin"
    part1, part2 = os.urandom(5 * 1024 * 1024), os.urandom(1024 * 1024 + 7)
    mpu = s3.create_multipart_upload(Bucket=probe_bucket, Key=key)
    uid = mpu["UploadId"]
    e1 = s3.upload_part(Bucket=probe_bucket, Key=key, UploadId=uid, PartNumber=1, Body=part1)["ETag"]
    e2 = s3.upload_part(Bucket=probe_bucket, Key=key, UploadId=uid, PartNumber=2, Body=part2)["ETag"]
    listed = s3.list_multipart_uploads(Bucket=probe_bucket).get("Uploads", [])
    in_list = any(u["UploadId"] == uid for u in listed)
    parts = s3.list_parts(Bucket=probe_bucket, Key=key, UploadId=uid).get("Parts", [])
    log(f"multipart: upload listed by ListMultipartUploads={in_list}, ListParts={len(parts)} parts, part ETags {e1} {e2}")
    ok &= in_list and len(parts) == 2
    done = s3.complete_multipart_upload(
        Bucket=probe_bucket, Key=key, UploadId=uid,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]},
    )
    head = s3.head_object(Bucket=probe_bucket, Key=key)
    body = s3.get_object(Bucket=probe_bucket, Key=key)["Body"].read()
    same = body == part1 + part2
    log(f"multipart: completed ETag {done.get('ETag')} size {head['ContentLength']} content-match={same}")
    ok &= same and head["ContentLength"] == len(part1) + len(part2)
    s3.delete_object(Bucket=probe_bucket, Key=key)

    mpu2 = s3.create_multipart_upload(Bucket=probe_bucket, Key=key + ".abort")
    s3.upload_part(Bucket=probe_bucket, Key=key + ".abort", UploadId=mpu2["UploadId"], PartNumber=1, Body=b"abc")
    s3.abort_multipart_upload(Bucket=probe_bucket, Key=key + ".abort", UploadId=mpu2["UploadId"])
    after = s3.list_multipart_uploads(Bucket=probe_bucket).get("Uploads", [])
    aborted = not any(u["UploadId"] == mpu2["UploadId"] for u in after)
    log(f"multipart: abort removed the upload from ListMultipartUploads={aborted}")
    ok &= aborted

    # 5) simple put: ETag format and Content-MD5 handling (informational)
    body = b"hello stack"
    r = s3.put_object(Bucket=probe_bucket, Key=".stack-selftest/plain", Body=body)
    log(f"plain put ETag {r['ETag']} (md5 {hashlib.md5(body).hexdigest()})")
    bad_md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    code = _err_code(lambda: s3.put_object(Bucket=probe_bucket, Key=".stack-selftest/badmd5", Body=body, ContentMD5=bad_md5))
    log(f"put with wrong Content-MD5 -> {code}")
    s3.delete_object(Bucket=probe_bucket, Key=".stack-selftest/plain")
    s3.delete_object(Bucket=probe_bucket, Key=".stack-selftest/badmd5")
    log("self-test " + ("PASSED" if ok else "FAILED"))
    return 0 if ok else 1


# --------------------------------------------------------------------------- basic-auth users
def auth_setup(base: str, admin: str, admin_pw: str, reader: str, reader_pw: str) -> int:
    import requests

    api = base.rstrip("/") + "/api/2.0/mlflow"
    adm = (admin, admin_pw)
    r = requests.get(f"{api}/users/get", params={"username": admin}, auth=adm, timeout=30)
    if r.status_code != 200:
        log(f"admin login failed: HTTP {r.status_code} {r.text[:300]}")
        log("(the admin password is only applied when the user store is empty: "
            "reset the mlflow_auth_users database or use the update-password API)")
        return 1
    r = requests.post(f"{api}/users/create", json={"username": reader, "password": reader_pw}, auth=adm, timeout=30)
    if r.status_code == 200:
        log(f"created user {reader}")
    elif "RESOURCE_ALREADY_EXISTS" in r.text or r.status_code == 409:
        r = requests.patch(f"{api}/users/update-password", json={"username": reader, "password": reader_pw}, auth=adm, timeout=30)
        if r.status_code != 200:
            log(f"update-password for {reader} failed: HTTP {r.status_code} {r.text[:300]}")
            return 1
        log(f"user {reader} existed; password refreshed")
    else:
        log(f"users/create failed: HTTP {r.status_code} {r.text[:300]}")
        return 1
    info = requests.get(f"{api}/users/get", params={"username": reader}, auth=adm, timeout=30).json()
    if info.get("user", {}).get("is_admin"):
        requests.patch(f"{api}/users/update-admin", json={"username": reader, "is_admin": False}, auth=adm, timeout=30).raise_for_status()
        log(f"revoked admin from {reader}")
    # the reader can read, a wrong password cannot
    r_ok = requests.get(f"{api}/experiments/search", params={"max_results": 1}, auth=(reader, reader_pw), timeout=30)
    r_bad = requests.get(f"{api}/experiments/search", params={"max_results": 1}, auth=(reader, reader_pw + "x"), timeout=30)
    log(f"reader read -> HTTP {r_ok.status_code}; wrong password -> HTTP {r_bad.status_code}")
    return 0 if (r_ok.status_code == 200 and r_bad.status_code == 401) else 1


# --------------------------------------------------------------------------- env files
def write_env(sh_path: str, json_path: str) -> int:
    pairs: dict[str, str] = {}
    for line in sys.stdin.read().splitlines():
        if not line.strip():
            continue
        k, _, v = line.partition("=")
        pairs[k] = v
    lines = ["# Generated by scripts/stack/up. Local test credentials only.", ""]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in pairs.items()]
    for path, text in ((sh_path, "\n".join(lines) + "\n"), (json_path, json.dumps(pairs, indent=2) + "\n")):
        tmp = f"{path}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "verify-mlflow-install":
        return verify_mlflow_install()
    if cmd == "pg-check":
        return pg_check(rest[0])
    if cmd == "pg-ensure-dbs":
        return pg_ensure_dbs(rest)
    if cmd == "s3-setup":
        return s3_setup(rest)
    if cmd == "auth-setup":
        return auth_setup(*rest)
    if cmd == "write-env":
        return write_env(*rest)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
