"""Schemathesis over the HTTP API's own description (issue #8): a real
`abstat serve --dev` on a free port with a temporary data directory, a user
with a JWT and an uploaded dataset, and every operation of `/openapi.json`
called with generated valid and invalid inputs. No response may be a 5xx,
and every response must conform to the schema (status code, content type,
headers, body).

Deterministic (`derandomize=True`) and bounded (`MAX_EXAMPLES` per
operation). The binary is `ABSTAT_BIN` when set, else the one `cargo test
--workspace --all-features` builds (what `scripts/test.sh` has just built, so
nothing is rebuilt)."""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 30
PASSWORD = "fuzz-password-not-secret"
# `?wait=` is honoured up to 60 s; generated values are capped to keep the run short.
MAX_WAIT = 0.2
# Every answer but a capped wait is immediate; a slower one is a finding.
REQUEST_TIMEOUT = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def abstat_binary():
    if os.environ.get("ABSTAT_BIN"):
        return os.environ["ABSTAT_BIN"]
    cargo = shutil.which("cargo")
    assert cargo, "cargo is needed to build the abstat binary (or set ABSTAT_BIN)"
    # The same build as `cargo test --workspace --all-features` (scripts/test.sh),
    # so after it nothing is compiled: `cargo build` would unify features
    # without the dev-dependencies and rebuild much of the tree.
    out = subprocess.run(
        [cargo, "test", "-q", "--workspace", "--all-features", "--no-run",
         "--message-format=json-render-diagnostics"],
        check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if (msg.get("reason") == "compiler-artifact" and msg.get("executable")
                and msg["target"]["name"] == "abstat" and "bin" in msg["target"]["kind"]
                and not msg["profile"]["test"]):
            return msg["executable"]
    raise AssertionError("cargo built no abstat executable")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, token=None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())


def sample_csv():
    rows = ["variant,segment,revenue,pre,converted"]
    for i in range(60):
        b = i % 2
        rows.append(f"{'AB'[b]},{'xyz'[i % 3]},{(i * 7919) % 101 / 10 + 1.5 * b},"
                    f"{(i * 31) % 9 + i % 5},{int((i * 13) % 7 < 2 + b)}")
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "ABSTAT_DATA_DIR": str(data / "data"),
        "ABSTAT_DATABASE_URL": f"sqlite://{data}/abstat.db",
        "ABSTAT_HTTP_ADDR": f"127.0.0.1:{port}",
        "ABSTAT_RATE_LIMIT": "0",
        "RUST_LOG": "warn",
    }
    binary = abstat_binary()
    subprocess.run([binary, "user", "add", "fuzz", "--password-stdin"], input=PASSWORD.encode(),
                   env=env, check=True, capture_output=True)
    log = open(data / "serve.log", "wb")
    proc = subprocess.Popen([binary, "serve", "--dev"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            assert proc.poll() is None, (data / "serve.log").read_text()
            assert time.monotonic() < deadline, "abstat serve did not answer /healthz in 60 s"
            time.sleep(0.2)
    token = request("POST", f"{base}/auth/token/", {"username": "fuzz", "password": PASSWORD})["access"]
    dataset = request("POST", f"{base}/datasets/upload/?name=exp.csv", sample_csv(), token,
                      content_type="text/csv")["dataset"]["id"]
    yield {"base": base, "token": token, "dataset": dataset}
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def operations(server):
    schema = schemathesis.openapi.from_url(f"{server['base']}/openapi.json")
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) >= 17, [op.label for op in ops]
    return ops


def fuzz(operation, mode, server):
    """Run `operation` on MAX_EXAMPLES generated cases; the failure, if any."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        # Bodies naming a dataset mostly name the real one, so the generated
        # columns and parameters reach the checks behind the ownership check.
        if isinstance(case.body, dict) and "dataset_id" in case.body and len(str(case.body)) % 4:
            case.body["dataset_id"] = server["dataset"]
        if isinstance(case.query, dict) and "wait" in case.query:
            try:
                case.query["wait"] = min(float(case.query["wait"]), MAX_WAIT)
            except (TypeError, ValueError):
                pass  # not a number: the server must say 400
        case.call_and_validate(
            base_url=server["base"],
            headers={"Authorization": f"Bearer {server['token']}"},
            checks=CHECKS,
            timeout=REQUEST_TIMEOUT,
        )

    started = time.monotonic()
    try:
        run()
    except Unsatisfiable:
        return None  # nothing to make invalid (no parameters, no body)
    except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001  (collected, reported below)
        return f"{operation.label} ({mode.value}): {e}"
    finally:
        print(f"{operation.label} ({mode.value}): {time.monotonic() - started:.1f} s")
    return None


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_5xx_and_responses_follow_the_schema(operations, mode, server):
    failures = [f for op in operations if (f := fuzz(op, mode, server))]
    assert not failures, "\n\n".join(failures)
