"""The soak test (run through bench/soak, which provides wrk and the release build).

One jwtd (SQLite, rotation and blacklisting on, request logging on, default Argon2id hashing)
pinned to the first half of the CPUs, wrk to the other half. First the mix is run flat out for
20 s to find jwtd's capacity; then it runs at half of that for the given minutes, one wrk run
per minute, and each minute's line reports the requests per second, p50/p99 latency, non-2xx
answers, jwtd's RSS, open descriptors and threads, and the database's size.

The mix, per 20 requests: 12 verify, 5 GET /users/me/, 3 refreshes with rotation (each
answer's new refresh token is the next one rotated), plus one login per second.
"""

import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The benchmark's helpers: CPU pinning, wrk and its output, /proc readings, token minting.
from bench import JWTD, LOAD_CPUS, SERVER_CPUS, pinned, post, proc_status, signed_refresh_tokens, wrk

KEY = "soak signing key, long enough for HS256 (>= 32 bytes)"
PASSWORD = "correct horse battery staple"
PORT = 18401
URL = f"http://127.0.0.1:{PORT}"
DELAY_MS = 2


def mix_script(work, access, tokens, delay_ms, login_every):
    listing = work / "tokens.txt"
    listing.write_text("\n".join(tokens) + "\n")
    script = work / "mix.lua"
    script.write_text(
        f"""
local access = "{access}"
local tokens = {{}}
for line in io.lines("{listing}") do tokens[#tokens + 1] = line end
local json = {{["Content-Type"] = "application/json"}}
local n = 0
request = function()
  n = n + 1
  if n % {login_every} == 0 then
    return wrk.format("POST", "/token/", json, '{{"username":"soak1","password":"{PASSWORD}"}}')
  end
  local slot = n % 20
  if slot < 3 and #tokens > 0 then
    return wrk.format("POST", "/token/refresh/", json, '{{"refresh":"' .. table.remove(tokens) .. '"}}')
  elseif slot < 8 then
    return wrk.format("GET", "/users/me/", {{["Authorization"] = "Bearer " .. access}}, nil)
  end
  return wrk.format("POST", "/token/verify/", json, '{{"token":"' .. access .. '"}}')
end
response = function(status, headers, body)
  local token = string.match(body, '"refresh":"([^"]+)"')
  if token and #tokens < 100000 then tokens[#tokens + 1] = token end
end
"""
        + (f"delay = function() return {delay_ms} end\n" if delay_ms else "")
    )
    return str(script)


def sample(pid, data_dir):
    size = sum(f.stat().st_size for f in data_dir.glob("jwtd.db*"))
    return {
        "rss": proc_status(pid, "VmRSS") / 1024,
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": proc_status(pid, "Threads"),
        "db": size / 2**20,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=30)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jwtd-soak-"))
    data_dir = work / "data"
    config = work / "jwtd.toml"
    config.write_text(
        f'bind = "127.0.0.1:{PORT}"\ndata_dir = "{data_dir}"\nsigning_key = "{KEY}"\n'
        'access_token_lifetime = "2h"\nrotate_refresh_tokens = true\nblacklist_after_rotation = true\n'
        "[throttle]\nenabled = false\n"
    )
    jwtd = None
    try:
        print(f"== users (Argon2id, default parameters) in {work}", flush=True)
        for i in range(1, 11):
            subprocess.run([str(JWTD), "--config", str(config), "user", "add", f"soak{i}"],
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        jwtd = subprocess.Popen(
            pinned(SERVER_CPUS, [str(JWTD), "--config", str(config), "serve"]),
            env={**os.environ, "RUST_LOG": "info"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                access = post(URL + "/token/", {"username": "soak1", "password": PASSWORD})["access"]
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("jwtd did not come up")
        user_id = json.loads(base64.urlsafe_b64decode(access.split(".")[1] + "=="))["user_id"]

        full = wrk(URL, mix_script(work, access, signed_refresh_tokens(4000, user_id, KEY), 0, 10**9), 20, 16)
        target = full["rps"] / 2
        # Each connection waits DELAY_MS between an answer and its next request: the number of
        # connections sets the rate, found by a 10 s trial.
        trial = wrk(URL, mix_script(work, access, signed_refresh_tokens(2000, user_id, KEY), DELAY_MS, 10**9), 10, 32)
        connections = max(1, round(32 * target / trial["rps"]))
        print(f"== capacity of the mix: {full['rps']:,.0f} req/s (p99 {full['p99']:.2f} ms); "
              f"soaking at half ({target:,.0f} req/s): {connections} connections, {DELAY_MS} ms "
              f"between requests, {args.minutes} min", flush=True)
        print()
        print("| minute | req/s | p50 / p99 (ms) | non-2xx | RSS (MB) | fds | threads | database (MB) |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for minute in range(1, args.minutes + 1):
            script = mix_script(work, access, signed_refresh_tokens(2000, user_id, KEY), DELAY_MS, max(1, round(target)))
            run = wrk(URL, script, 60, connections)
            s = sample(jwtd.pid, data_dir)
            print(f"| {minute} | {run['rps']:,.0f} | {run['p50']:.2f} / {run['p99']:.2f} | {run['errors']} "
                  f"| {s['rss']:.1f} | {s['fds']} | {s['threads']} | {s['db']:,.0f} |", flush=True)
        print()
        print(f"Peak RSS {proc_status(jwtd.pid, 'VmHWM') / 1024:.1f} MB; "
              f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, jwtd on {SERVER_CPUS}, wrk on {LOAD_CPUS}.")
    finally:
        if jwtd:
            os.killpg(jwtd.pid, signal.SIGTERM)
            jwtd.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
