"""The benchmark driver (run through bench/run, which provides wrk, the virtualenv and the build).

Both servers run pinned to the same CPUs and the load generator (wrk) to the others, with the
same users (the same Django PBKDF2-SHA256 hash, 1,000,000 iterations) and the same signing key.
Every workload runs against jwtd and SimpleJWT in turn, alternating the order each round, and the
table reports the median over the rounds.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
JWTD = ROOT / "target" / "release" / "jwtd"
FLOOR = ROOT / "target" / "release" / "jwtd-floor"
# The workloads the floor server (bench/floor: the same tokio + axum stack answering fixed
# bodies) also runs, to show how close jwtd comes to what its HTTP stack allows.
FLOOR_WORKLOADS = ("verify", "GET /users/me/")
REFERENCE = ROOT / "bench" / "reference"
VENV = ROOT / "bench" / ".venv" / "bin"
KEY = "benchmark signing key, the same on both servers"
PASSWORD = "correct horse battery staple"
USERS = 10
# `bench/run --postgres`: jwtd also runs every workload on this PostgreSQL server (one started
# for the run by .ci/with-postgres), as "jwtd (PostgreSQL)".
POSTGRES = os.environ.get("BENCH_DATABASE_URL")
# Fresh refresh tokens per second of a rotation run: each is used once, and a token used again
# is a reuse (401, and its family revoked), so the supply must outlast the fastest server. The
# run errs on the side of plenty: jwtd rotates ~6,000/s on one core.
ROTATION_TOKENS_PER_SECOND = 20_000
PG_NAME = "jwtd (PostgreSQL)"


def cpu_sets():
    """(server CPUs, load-generator CPUs): halves of the machine, or everything when 1 core."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return cpus, cpus
    half = len(cpus) // 2
    return cpus[:half], cpus[half:]


SERVER_CPUS, LOAD_CPUS = cpu_sets()


def pinned(cpus, argv):
    return ["taskset", "-c", ",".join(map(str, cpus)), *argv]


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def post(url, body):
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def proc_status(pid, field):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])  # kB
    except OSError:
        pass
    return 0


def process_tree(pid):
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for child in children:
        pids += process_tree(int(child))
    return pids


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def settle(servers, limit=60):
    """Waits until no server burns CPU (a server may still hash requests wrk gave up on), so one
    run's leftovers never slow the next server's run."""
    deadline = time.time() + limit
    while time.time() < deadline:
        pids = [p for s in servers for p in process_tree(s.process.pid)]
        before = cpu_ticks(pids)
        time.sleep(0.3)
        if cpu_ticks(pids) - before <= 1:
            return


def ensure_port_free(url):
    """Refuses to start a server whose port another process holds: a server left over from an
    interrupted run would answer in the new one's place and skew every figure."""
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:
            raise SystemExit(f"{url} is already taken (a server from an earlier run?): stop it first")


class Server:
    def __init__(self, name, argv, env, url, cwd=None):
        self.name, self.url = name, url
        ensure_port_free(url)
        self.stopped = False
        self.process = subprocess.Popen(
            pinned(SERVER_CPUS, argv),
            env={**os.environ, **env},
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        STARTED.append(self)
        wait_http(url + "/token/verify/")
        if self.process.poll() is not None:
            raise SystemExit(f"{name} exited at start (exit status {self.process.returncode})")

    def rss_mb(self, field="VmRSS"):
        return sum(proc_status(p, field) for p in process_tree(self.process.pid)) / 1024

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


# Every server started, so a run that fails stops them all (a server left listening would
# answer in the next run's place).
STARTED = []


class Setup:
    """Databases, users and configuration for both servers, in a temporary directory."""

    def __init__(self, work):
        self.work = work
        self.django_db = work / "django.sqlite3"
        self.django_env = {
            "REF_SECRET_KEY": "benchmark",
            "REF_JWT_KEY": KEY,
            "REF_DATABASE": str(self.django_db),
            "PYTHONPATH": str(REFERENCE),
        }
        manage = [str(VENV / "python"), str(REFERENCE / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0", "--noinput"], env={**os.environ, **self.django_env}, check=True)
        make_users = (
            "from django.contrib.auth.models import User\n"
            "u = User(username='x'); u.set_password(%r); h = u.password\n"
            "User.objects.bulk_create([User(username=f'bench{i}', email=f'bench{i}@example.com',"
            " password=h) for i in range(1, %d)])\n"
            "print(h)\n" % (PASSWORD, USERS + 1)
        )
        self.hash = subprocess.run(
            [*manage, "shell", "-c", make_users],
            env={**os.environ, **self.django_env},
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip().splitlines()[-1]
        assert self.hash.startswith("pbkdf2_sha256$1000000$"), self.hash
        self.cores = len(SERVER_CPUS)
        for postgres in [False, True] if POSTGRES else [False]:
            for i in range(1, USERS + 1):
                subprocess.run(
                    [str(JWTD), "--config", str(self.jwtd_config(False, postgres)), "user", "add",
                     f"bench{i}", "--email", f"bench{i}@example.com", "--django-hash"],
                    input=self.hash + "\n", text=True, check=True, capture_output=True,
                )

    def jwtd_config(self, rotate, postgres=False):
        path = self.work / f"jwtd-{'rotate' if rotate else 'plain'}{'-pg' if postgres else ''}.toml"
        database = f'database_url = "{POSTGRES}"\n' if postgres else ""
        path.write_text(
            f'bind = "127.0.0.1:{18304 if postgres else 18301}"\ndata_dir = "{self.work / "jwtd-data"}"\n'
            + database +
            f'signing_key = "{KEY}"\naccess_token_lifetime = "60m"\n'
            f"rotate_refresh_tokens = {str(rotate).lower()}\n"
            f"blacklist_after_rotation = {str(rotate).lower()}\n"
            "[hashing]\nupgrade_on_login = false\nqueue = 4096\n"
            "[throttle]\nenabled = false\n"
        )
        return path

    def start(self, rotate):
        # Request logging on, at the default `info` level (to /dev/null: the line is written,
        # nothing reads it).
        jwtd = Server(
            "jwtd",
            [str(JWTD), "--config", str(self.jwtd_config(rotate)), "serve"],
            {"RUST_LOG": "info"},
            "http://127.0.0.1:18301",
        )
        workers = 2 * self.cores + 1
        django = Server(
            "SimpleJWT",
            [str(VENV / "gunicorn"), "-w", str(workers), "-b", "127.0.0.1:18302",
             "--log-level", "warning", "refsite.wsgi"],
            {**self.django_env, "REF_ROTATE": "1" if rotate else "0"},
            "http://127.0.0.1:18302",
            cwd=REFERENCE,
        )
        servers = [jwtd, django]
        if POSTGRES:
            servers.append(Server(
                PG_NAME,
                [str(JWTD), "--config", str(self.jwtd_config(rotate, True)), "serve"],
                {"RUST_LOG": "info"},
                "http://127.0.0.1:18304",
            ))
        return servers


def pin_postgres():
    """PostgreSQL's processes onto the servers' CPUs, like jwtd's own SQLite (backends fork
    from the postmaster and inherit it)."""
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout
    for pid in out.split():
        try:
            os.sched_setaffinity(int(pid), SERVER_CPUS)
        except OSError:
            pass


def lua(path, text):
    path.write_text(text)
    return str(path)


def json_body_script(work, name, body):
    return lua(
        work / f"{name}.lua",
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps(body))}\n",
    )


def login_script(work):
    return lua(
        work / "login.lua",
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        f'  local body = string.format(\'{{"username":"bench%d","password":"{PASSWORD}"}}\', i % {USERS} + 1)\n'
        '  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)\n'
        "end\n",
    )


def tokens_script(work, name, tokens):
    listing = work / f"{name}.tokens"
    listing.write_text("\n".join(tokens) + "\n")
    return lua(
        work / f"{name}.lua",
        "local tokens = {}\n"
        f'for line in io.lines("{listing}") do tokens[#tokens + 1] = line end\n'
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local body = '{\"refresh\":\"' .. tokens[(i - 1) % #tokens + 1] .. '\"}'\n"
        '  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)\n'
        "end\n",
    )


def auth_script(work, name, access):
    return lua(work / f"{name}.lua", f'wrk.headers["Authorization"] = "Bearer {access}"\n')


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def parse_wrk(output):
    def latency(percent):
        m = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if m:
        errors += sum(int(g) for g in m.groups())
    return {"rps": rps, "p50": latency(50), "p99": latency(99), "errors": errors, "total": total}


def wrk(url, script, seconds, connections, timeout="10s"):
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}", "--latency", "-s", script, url]
    out = subprocess.run(pinned(LOAD_CPUS, argv), capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_refresh_tokens(count, user_id, key=KEY):
    """HS256 refresh tokens the server has not seen (it records them on first use), encoded as
    PyJWT encodes them."""
    header = b64url(b'{"alg":"HS256","typ":"JWT"}')
    now = int(time.time())
    tokens = []
    for _ in range(count):
        claims = {"token_type": "refresh", "exp": now + 86400, "iat": now, "jti": uuid.uuid4().hex, "user_id": user_id}
        signing_input = header + "." + b64url(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
        tokens.append(signing_input + "." + b64url(signature))
    return tokens


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short runs (CI)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cheap_secs, login_secs = (1, 2) if args.quick else (10, 15)

    work = Path(tempfile.mkdtemp(prefix="jwtd-bench-"))
    results = {}  # workload -> server -> [runs]
    rss = {}
    try:
        print(f"== setting up users (PBKDF2-SHA256, 1,000,000 iterations) in {work}", flush=True)
        setup = Setup(work)
        if POSTGRES:
            pin_postgres()
        for rotate in (False, True):
            servers = setup.start(rotate)
            for s in servers:
                rss.setdefault(s.name, {})["idle"] = max(rss.get(s.name, {}).get("idle", 0), s.rss_mb())
            pair = {}
            for s in servers:
                pair[s.name] = post(s.url + "/token/", {"username": "bench1", "password": PASSWORD})
            if not rotate:
                floor_server = Server("floor", [str(FLOOR), "127.0.0.1:18303"], {}, "http://127.0.0.1:18303")
                pair["floor"] = pair["jwtd"]  # the floor answers without looking at the token
                # Right after jwtd, so each round runs the two back to back (in either order):
                # this machine's speed drifts over minutes, and a ratio of runs far apart in
                # time measures the drift as much as the servers.
                servers.insert(1, floor_server)
            workloads = []
            if not rotate:
                workloads += [
                    ("login", lambda s: wrk(s.url + "/token/", login_script(work), login_secs, 4, "60s")),
                    ("refresh (rotation off)", lambda s: wrk(
                        s.url + "/token/refresh/",
                        json_body_script(work, "refresh-" + s.name, {"refresh": pair[s.name]["refresh"]}),
                        cheap_secs, 16)),
                    ("verify", lambda s: wrk(
                        s.url + "/token/verify/",
                        json_body_script(work, "verify-" + s.name, {"token": pair[s.name]["access"]}),
                        cheap_secs, 16)),
                    ("GET /users/me/", lambda s: wrk(
                        s.url + "/users/me/", auth_script(work, "me-" + s.name, pair[s.name]["access"]),
                        cheap_secs, 16)),
                    ("verify during a login storm", lambda s: storm(work, s, pair, cheap_secs)),
                ]
            else:
                workloads += [
                    ("refresh (rotation on)", lambda s: wrk(
                        s.url + "/token/refresh/",
                        tokens_script(work, f"rotate-{s.name}-{uuid.uuid4().hex}",
                                      signed_refresh_tokens(ROTATION_TOKENS_PER_SECOND * cheap_secs, "1")),
                        cheap_secs, 16)),
                ]
            for round_ in range(args.rounds):
                order = servers if round_ % 2 == 0 else list(reversed(servers))
                for name, run in workloads:
                    for s in order:
                        if s.name == "floor" and name not in FLOOR_WORKLOADS:
                            continue
                        settle(servers)
                        results.setdefault(name, {}).setdefault(s.name, []).append(run(s))
                print(f"   round {round_ + 1}/{args.rounds} done", flush=True)
            for s in servers:
                if s.name in rss:
                    rss[s.name]["peak"] = max(rss[s.name].get("peak", 0), s.rss_mb("VmHWM"))
                s.stop()
        floor = login_floor(setup)
    finally:
        for server in STARTED:
            try:
                server.stop()
            except (OSError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(work, ignore_errors=True)
    report(results, rss, floor, args)


def storm(work, server, pair, seconds):
    """verify's latency while 16 connections keep logging in (does hashing starve it?)."""
    login = subprocess.Popen(
        pinned(LOAD_CPUS, ["wrk", "-t1", "-c16", f"-d{seconds + 2}s", "--timeout=60s", "--latency", "-s",
                           login_script(work), server.url + "/token/"]),
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    try:
        verify = wrk(server.url + "/token/verify/",
                     json_body_script(work, "storm-" + server.name, {"token": pair[server.name]["access"]}),
                     seconds, 4)
    finally:
        output, _ = login.communicate()
    # The logins the storm got done meanwhile (its own run, 2 s longer than verify's).
    verify["login_rps"] = parse_wrk(output)["rps"]
    return verify


def login_floor(setup):
    """One PBKDF2 verification in jwtd, timed as one login at a time (includes HTTP and DB)."""
    jwtd, *others = setup.start(False)
    for other in others:
        other.stop()
    try:
        run = wrk(jwtd.url + "/token/", login_script(setup.work), 3, 1, "60s")
    finally:
        jwtd.stop()
    return run["p50"]


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def report(results, rss, floor_ms, args):
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "unknown CPU")
    cores = len(SERVER_CPUS)
    print()
    print(f"Machine: {os.cpu_count()} × {cpu}; servers pinned to CPU {SERVER_CPUS}, wrk to CPU {LOAD_CPUS}; "
          f"{'quick' if args.quick else 'full'} mode, median of {args.rounds} alternating rounds; "
          f"{time.strftime('%Y-%m-%d')}.")
    print()
    print("| workload | jwtd req/s | SimpleJWT req/s | ratio | jwtd p50 / p99 (ms) | SimpleJWT p50 / p99 (ms) | errors jwtd / SimpleJWT |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, by_server in results.items():
        a, b = by_server["jwtd"], by_server["SimpleJWT"]
        ra, rb = median(a, "rps"), median(b, "rps")
        ratio = f"{ra / rb:,.1f}×" if rb else "∞ (SimpleJWT answered none)"

        def latencies(runs):
            if all(r["total"] == 0 for r in runs):
                return "—"
            return f"{median(runs, 'p50'):.2f} / {median(runs, 'p99'):.2f}"

        print(f"| {name} | {ra:,.1f} | {rb:,.1f} | {ratio} | {latencies(a)} | {latencies(b)} "
              f"| {sum(r['errors'] for r in a)} / {sum(r['errors'] for r in b)} |")
    print(f"| server RSS idle / peak (MB) | {rss['jwtd']['idle']:.1f} / {rss['jwtd']['peak']:.1f} "
          f"| {rss['SimpleJWT']['idle']:.1f} / {rss['SimpleJWT']['peak']:.1f} | | | | |")
    print()
    print("| workload | floor req/s | jwtd req/s | jwtd / floor (per round) | floor p50 / p99 (ms) |")
    print("|---|---:|---:|---:|---:|")
    for name in FLOOR_WORKLOADS:
        floor_runs, jwtd_runs = results[name]["floor"], results[name]["jwtd"]
        rf, rj = median(floor_runs, "rps"), median(jwtd_runs, "rps")
        # Each round's jwtd run against the floor run next to it; the median of those ratios.
        ratios = sorted(j["rps"] / f["rps"] for j, f in zip(jwtd_runs, floor_runs))
        spread = " ".join(f"{r:.3f}" for r in ratios)
        print(f"| {name} | {rf:,.1f} | {rj:,.1f} | {statistics.median(ratios):.3f} ({spread}) "
              f"| {median(floor_runs, 'p50'):.2f} / {median(floor_runs, 'p99'):.2f} |")
    print()
    login = median(results["login"]["jwtd"], "rps")
    ceiling = cores * 1000 / floor_ms
    print(f"Hash floor: one login at a time takes {floor_ms:.1f} ms in jwtd (one PBKDF2-SHA256 verify at "
          f"1,000,000 iterations, plus HTTP and database), so {cores} server core(s) allow {ceiling:.1f} logins/s; "
          f"jwtd reached {login:.1f} ({100 * login / ceiling:.0f} % of the floor).")
    storm = results["verify during a login storm"]["jwtd"]
    storm_logins = median(storm, "login_rps")
    print(f"During the login storm (16 connections logging in, 4 verifying) jwtd logged in {storm_logins:.1f}/s "
          f"({100 * storm_logins / ceiling:.0f} % of the hash floor) while verify's p99 was "
          f"{median(storm, 'p99'):.2f} ms.")
    if POSTGRES:
        print()
        print("jwtd on PostgreSQL (a local server on the same core), same workloads:")
        print()
        print("| workload | jwtd SQLite req/s | jwtd PostgreSQL req/s | PostgreSQL p50 / p99 (ms) | errors |")
        print("|---|---:|---:|---:|---:|")
        for name, by_server in results.items():
            pg = by_server.get(PG_NAME)
            if not pg:
                continue
            print(f"| {name} | {median(by_server['jwtd'], 'rps'):,.1f} | {median(pg, 'rps'):,.1f} "
                  f"| {median(pg, 'p50'):.2f} / {median(pg, 'p99'):.2f} | {sum(r['errors'] for r in pg)} |")
        storm = results["verify during a login storm"][PG_NAME]
        print(f"\nDuring the login storm on PostgreSQL: {median(storm, 'login_rps'):.1f} logins/s.")


if __name__ == "__main__":
    sys.exit(main())
