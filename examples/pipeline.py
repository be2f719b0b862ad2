#!/usr/bin/env python3
"""Embed a training run's features with Constellate and print the share link.

Standard library + numpy only. After training, save the features (and labels) of the checkpoint:

    feats, labels = [], []
    with torch.no_grad():
        for x, y in loader:
            feats.append(model.backbone(x.to(device)).flatten(1).cpu())
            labels.append(y)
    np.save("features.npy", torch.cat(feats).numpy().astype(np.float32))
    np.save("labels.npy", torch.cat(labels).numpy())

then:  CONSTELLATE_URL=... CONSTELLATE_TOKEN=cst_... python3 pipeline.py features.npy labels.npy --run-id "$RUN_ID"

Prints the share link (the viewer URL) on the last line of stdout; exits 0 when the job succeeded, 3 when it
failed, 4 on a rejected token, 1 otherwise (the same codes as the constellate CLI).
"""
import argparse
import hashlib
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request

import numpy as np

URL = os.environ.get("CONSTELLATE_URL", "http://127.0.0.1:8787").rstrip("/")
TOKEN = os.environ.get("CONSTELLATE_TOKEN", "")


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code = status, code


def request(method, url, body=None, headers=None, retry=True, raw=False):
    """One HTTP call with retries on 429/5xx/network errors (bounded, jittered, honouring Retry-After)."""
    data = body if raw else (json.dumps(body).encode() if body is not None else None)
    all_headers = dict(headers or {})
    if not raw:
        all_headers["Authorization"] = f"Bearer {TOKEN}"
        if body is not None:
            all_headers["Content-Type"] = "application/json"
    for attempt in range(5):
        req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=120) as res:
                payload = res.read()
                return res.headers, (payload if raw else json.loads(payload or b"null"))
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode("utf-8", "replace")
            wait = err.headers.get("Retry-After")
            try:
                error = json.loads(text)["error"]
            except (ValueError, KeyError, TypeError):
                error = {"code": "http_error", "message": text[:200]}
            # 429: the server did nothing, so any request may be sent again; 5xx only when repeating is harmless.
            if not (status == 429 or (retry and status >= 500)) or attempt == 4:
                raise ApiError(status, error.get("code"), error.get("message")) from None
            delay = float(wait) if wait and wait.isdigit() else random.uniform(0, 0.5 * 2**attempt)
        except urllib.error.URLError as err:
            if not retry or attempt == 4:
                raise ApiError(0, "network_error", str(err.reason)) from None
            delay = random.uniform(0, 0.5 * 2**attempt)
        print(f"retrying {method} {url} in {delay:.1f} s", file=sys.stderr)
        time.sleep(delay)


def api(method, path, body=None, headers=None, retry=True):
    return request(method, URL + path, body, headers, retry)[1]


def upload(path, kind):
    """Asks for an upload, PUTs the bytes (in parts above the multipart threshold), lets the edge verify them."""
    size = os.path.getsize(path)
    created = api("POST", "/api/v1/uploads", {"filename": os.path.basename(path), "size": size, "kind": kind}, retry=False)
    upload_id = created["upload"]["id"]
    with open(path, "rb") as f:
        if created["multipart"] is None:
            request("PUT", created["uploadUrl"], f.read(), raw=True)
        else:
            plan = created["multipart"]
            for part in plan["parts"]:
                f.seek((part["partNumber"] - 1) * plan["partSize"])
                headers, _ = request("PUT", part["url"], f.read(part["size"]), raw=True)
                api("PUT", f"/api/v1/uploads/{upload_id}/parts/{part['partNumber']}", {"etag": headers["ETag"]})
    return api("POST", f"/api/v1/uploads/{upload_id}/complete")["upload"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("features", help=".npy [N, D] from np.save")
    parser.add_argument("labels", nargs="?", help=".npy [N] integer labels (optional)")
    parser.add_argument("--run-id", help="names the job: re-running with the same id returns the same job")
    parser.add_argument("--perplexity", type=float, default=30)
    parser.add_argument("--iterations", type=int, default=750)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    features = np.load(args.features, mmap_mode="r")
    if features.ndim != 2:
        sys.exit(f"{args.features}: expected a 2-D [N, D] array, got shape {features.shape}")
    print(f"features: {features.shape[0]} points x {features.shape[1]} dims ({features.dtype})", file=sys.stderr)

    params = {"perplexity": args.perplexity, "iterations": args.iterations, "seed": args.seed}
    # One key per logical submission: a retried or re-run pipeline step gets the same job, never a second one.
    digest = hashlib.sha256(open(args.features, "rb").read()).hexdigest()[:16]
    key = args.run_id or f"{digest}-{json.dumps(params, sort_keys=True)}"

    body = {"features": upload(args.features, "features")["id"], "params": params}
    if args.labels:
        body["labels"] = upload(args.labels, "labels")["id"]
    job = api("POST", "/api/v1/jobs", body, headers={"Idempotency-Key": key})["job"]
    print(f"job {job['id']}: {URL}/jobs/{job['id']}", file=sys.stderr)

    while job["status"] in ("queued", "running"):
        time.sleep(2)
        job = api("GET", f"/api/v1/jobs/{job['id']}")["job"]
        progress = job.get("progress") or {}
        print(f"  {job['status']} {progress.get('stage', '')} {progress.get('iteration', 0)}/{progress.get('totalIterations', '?')}", file=sys.stderr)
    if job["status"] != "succeeded":
        error = job.get("error") or {}
        print(f"job {job['id']} {job['status']}: {error.get('code')}: {error.get('message')}", file=sys.stderr)
        return 3

    link = api("POST", f"/api/v1/jobs/{job['id']}/links", {}, retry=False)["link"]
    print(URL + link["url"])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ApiError as err:
        print(f"constellate: {err}", file=sys.stderr)
        sys.exit(4 if err.status in (401, 403) else 5 if err.status in (404, 410) else 1)
