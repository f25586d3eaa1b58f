"""A fake `edgespark` CLI following the documented command surface. Standard library only.

It stands in for the EdgeSpark cloud, which tests cannot reach. State lives in the folder named
by `EDGESPARK_FAKE_DIR`:
- `calls.jsonl`: one JSON line per call (argv, cwd, environment, start/end times, exit code);
- `probes.jsonl`: one JSON line per `--version` / `--help` call (capability probes);
- `script.json` (optional): `{"version": "1.2.3", "missing": ["db generate"],
  "responses": {"storage apply": [{"exit": 6, "stderr": "...", "times": 1}]},
  "sleep": {"deploy": 2.0}, "secrets": ["A", "B"], "url": "https://...",
  "generate_sql": "DROP TABLE `tags`;"}`.
`started.jsonl`: one line per call as it starts (pid, command, cwd), for tests that check every
child is gone after Ctrl-C.
Two overlapping calls in one project folder make the second fail loudly (exit 99, `overlap` in
calls.jsonl); calls in different project folders may run at once, as a monorepo's may.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

COMMANDS: dict[str, list[str]] = {
    "db": ["generate", "migrate", "check", "sql"],
    "storage": ["apply", "bucket"],
    "var": ["set", "list"],
    "secret": ["set", "list", "delete"],
    "auth": ["pull", "get", "apply"],
    "pull": ["types", "schema"],
    "deploy": ["promote"],
    "log": ["tail"],
    "login": [],
    "init": [],
}
LOCAL_COMMANDS = {"db generate"}


def _state_dir() -> Path:
    return Path(os.environ.get("EDGESPARK_FAKE_DIR", ".edgespark-fake"))


def _script() -> dict[str, Any]:
    path = _state_dir() / "script.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _log(entry: dict[str, Any]) -> None:
    folder = _state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "calls.jsonl").open("a") as handle:
        handle.write(json.dumps(entry) + "\n")


def _log_probe(argv: list[str], started: float) -> None:
    folder = _state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "probes.jsonl").open("a") as handle:
        handle.write(json.dumps({"argv": argv, "time": started, "end": time.time()}) + "\n")


def _help(script: dict[str, Any], group: str | None) -> int:
    missing = set(script.get("missing", []))
    if group is None:
        names = [c for c in COMMANDS if c not in missing]
        print("Usage: edgespark [options] [command]\n\nOptions:\n  -v, --version  output the "
              "version number\n  -h, --help     display help for command\n\nCommands:")
        for name in names:
            print(f"  {name:<22} {name} commands")
        print(f"  {'help [command]':<22} display help for command")
        return 0
    subs = [s for s in COMMANDS.get(group, []) if f"{group} {s}" not in missing]
    print(f"Usage: edgespark {group} [options] [command]\n\nOptions:\n  -h, --help  display help")
    if subs:
        print("\nCommands:")
        for sub in subs:
            print(f"  {sub:<22} {group} {sub}")
    return 0


def _consume_response(script: dict[str, Any], key: str) -> dict[str, Any] | None:
    responses = script.get("responses", {}).get(key)
    if not responses:
        return None
    response: dict[str, Any] = responses[0]
    times = response.get("times")
    if times is not None:
        if times <= 1:
            responses.pop(0)
        else:
            response["times"] = times - 1
        (_state_dir() / "script.json").write_text(json.dumps(script))
    return response


def _server_dir(cwd: Path) -> Path:
    text = (cwd / "edgespark.toml").read_text()
    match = re.search(r'^\[server\][^\[]*?^path\s*=\s*"([^"]+)"', text, re.M | re.S)
    return cwd / match.group(1) if match else cwd


def _db_generate(cwd: Path, name: str, script: dict[str, Any]) -> int:
    server = _server_dir(cwd)
    schema = (server / "src/defs/db_schema.ts").read_bytes()
    digest = hashlib.sha256(schema).hexdigest()
    meta = server / "drizzle/meta"
    meta.mkdir(parents=True, exist_ok=True)
    hash_file = meta / "_edgespark_schema_hash"
    if hash_file.is_file() and hash_file.read_text().strip() == digest:
        print("No schema changes, nothing to migrate")
        return 0
    journal_path = meta / "_journal.json"
    journal: dict[str, Any] = (json.loads(journal_path.read_text()) if journal_path.is_file()
                               else {"version": "7", "dialect": "sqlite", "entries": []})
    idx = len(journal["entries"])
    tag = f"{idx:04d}_{name}"
    sql = script.get("generate_sql", f"CREATE TABLE `fake_{idx}` (\n\t`id` integer PRIMARY KEY\n);")
    (server / "drizzle" / f"{tag}.sql").write_text(sql + "\n")
    journal["entries"].append({"idx": idx, "version": "6", "when": int(time.time() * 1000),
                               "tag": tag, "breakpoints": True})
    journal_path.write_text(json.dumps(journal, indent=2) + "\n")
    (meta / f"{idx:04d}_snapshot.json").write_text(json.dumps({"version": "6", "id": tag}) + "\n")
    hash_file.write_text(digest + "\n")
    print(f"[✓] Your SQL migration file ➜ drizzle/{tag}.sql 🚀")
    return 0


def _pull_types(cwd: Path) -> int:
    server = _server_dir(cwd)
    defs = server / "src/defs"
    digest = hashlib.sha256(b"".join(
        p.read_bytes() for p in sorted(defs.glob("*.ts")))).hexdigest()
    generated = server / "src/__generated__"
    generated.mkdir(parents=True, exist_ok=True)
    content = f"// Generated by EdgeSpark. Do not edit.\n// defs {digest}\nexport {{}};\n"
    (generated / "server-types.d.ts").write_text(content)
    server_hash = hashlib.sha256(content.encode()).hexdigest()
    (generated / ".checksums.json").write_text(
        json.dumps({"server_types": f"sha256-{server_hash}"}) + "\n")
    print("Pulled server types")
    return 0


def _secret_list(names: list[str]) -> int:
    """The table `secret list` prints in 0.0.9 (status lines on stderr, the table on stdout)."""
    print("- Fetching secrets...", file=sys.stderr)
    if not names:
        print("✔ No secrets found", file=sys.stderr)
        return 0
    print(f"✔ Found {len(names)} secrets", file=sys.stderr)
    width = max(len("KEY"), *(len(n) for n in names))
    stamp = "11/1/2026, 10:00:00 AM"
    print(f"{'KEY':<{width}}  {'CREATED':<{len(stamp)}}  UPDATED")
    print(f"{'─' * width}  {'─' * len(stamp)}  {'─' * len(stamp)}")
    for name in names:
        print(f"{name:<{width}}  {stamp}  {stamp}")
    return 0


def _declared_secrets(cwd: Path) -> list[str]:
    server = _server_dir(cwd)
    runtime = server / "src/defs/runtime.ts"
    text = runtime.read_text() if runtime.is_file() else ""
    text = re.sub(r"//[^\n]*", "", text)
    match = re.search(r"SecretKey\s*=([^;]*?)(?:;|export|$)", text, re.S)
    names = re.findall(r"[\"']([A-Z][A-Z0-9_]*)[\"']", match.group(1)) if match else []
    auth = cwd / "configs/auth-config.yaml"
    if auth.is_file():
        names += re.findall(r"clientSecretRef:\s*([A-Z][A-Z0-9_]*)", auth.read_text())
    return list(dict.fromkeys(names))


def _log_tail(seconds: float) -> int:
    def stop(signum: int, frame: object) -> None:
        print("disconnecting", flush=True)
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print("connected (max_duration_seconds=3600)", flush=True)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        print(f"GET /api/notes 200 {n}ms", flush=True)
        time.sleep(0.2)
    print("disconnecting", flush=True)
    return 0


def _behave(words: list[str], argv: list[str], cwd: Path, script: dict[str, Any]) -> int:
    key = " ".join(words)
    if key == "db generate":
        name = argv[argv.index("--name") + 1] if "--name" in argv else "auto_migration"
        return _db_generate(cwd, name, script)
    if key == "pull types" and "--check" in argv:
        print("Types are up to date")
        return 0
    if key == "pull types":
        return _pull_types(cwd)
    if key == "secret list":
        return _secret_list(script.get("secrets", _declared_secrets(cwd)))
    if key == "secret set":
        keys = [w for w in argv[2:] if not w.startswith("-")]
        print(f"Open https://app.edgespark.dev/secrets/set?keys={','.join(keys)} to enter values")
        return 0
    if key == "deploy" and "--dry-run" in argv:
        print("Dry run: types ok, bundle ok, routes ok (nothing uploaded)")
        return 0
    if key == "deploy":
        print("Deploying...", file=sys.stderr)
        print(f"URL: {script.get('url', 'https://notes-app.edgespark.app')}")
        return 0
    if key == "log tail":
        return _log_tail(float(script.get("tail_seconds", 3600)))
    print(f"{key}: done", file=sys.stderr)
    return 0


VALUE_OPTIONS = {"--environment", "--name", "--api-key", "--project-id", "--deployment-id",
                 "--port"}


def _words(argv: list[str]) -> list[str]:
    """The command words (at most two), skipping options and the values they take."""
    words: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
        elif item in VALUE_OPTIONS:
            skip = True
        elif not item.startswith("-"):
            words.append(item)
    return words[:2]


def main(argv: list[str]) -> int:
    """Run one fake CLI call; see the module docstring."""
    script = _script()
    while argv[:1] and argv[0] in VALUE_OPTIONS:  # global options before the command
        argv = argv[2:]
    if argv[:1] in (["--version"], ["-v"]) or "--help" in argv or argv[:1] in ([], ["help"]):
        started = time.time()
        time.sleep(float(script.get("probe_sleep", 0)))  # widen the window to catch overlaps
        code = _probe(argv, script)
        sys.stdout.flush()
        _log_probe(argv, started)  # before exiting: our pipes close only when we exit
        return code
    return _command(argv, script)


def _probe(argv: list[str], script: dict[str, Any]) -> int:
    if argv[:1] in (["--version"], ["-v"]):
        print(script.get("version", "1.0.0"))
        return 0
    if not argv or argv[0] in ("--help", "-h", "help"):
        return _help(script, None)
    words = _words(argv)
    if words[0] not in COMMANDS:
        print(f"error: unknown command '{words[0]}'", file=sys.stderr)
        return 2
    if "--help" in argv:
        return _help(script, words[0])
    return 2


def _command(argv: list[str], script: dict[str, Any]) -> int:
    words = _words(argv)
    if not words or words[0] not in COMMANDS:
        print(f"error: unknown command '{' '.join(words)}'", file=sys.stderr)
        return 2
    words = words[: 2 if COMMANDS[words[0]] and len(words) > 1 else 1]
    key = " ".join(words)
    if key in script.get("missing", []) or words[0] in script.get("missing", []):
        print(f"error: unknown command '{key}'", file=sys.stderr)
        return 1
    environment = argv[argv.index("--environment") + 1] if "--environment" in argv else None
    entry = {"argv": argv, "command": key, "cwd": os.getcwd(), "environment": environment,
             "start": time.time(), "pid": os.getpid()}
    import fcntl  # POSIX only, like the tests that use this fake

    (_state_dir() / "last.pid").write_text(str(os.getpid()))
    with (_state_dir() / "started.jsonl").open("a") as handle:
        handle.write(json.dumps({"pid": os.getpid(), "command": key, "cwd": os.getcwd()}) + "\n")

    # One lock per project folder: the real CLI's one-at-a-time rule is per project, and
    # several projects of a monorepo may deploy at once.
    project_key = hashlib.sha256(os.getcwd().encode()).hexdigest()[:16]
    lock = (_state_dir() / f"running-{project_key}.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        _log({**entry, "overlap": True})
        print("FAKE EDGESPARK: OVERLAP - another edgespark call is running", file=sys.stderr)
        return 99
    try:
        if "sleep" in script and key in script["sleep"]:
            time.sleep(float(script["sleep"][key]))
        response = _consume_response(script, key)
        if response is not None:
            sys.stdout.write(response.get("stdout", ""))
            sys.stderr.write(response.get("stderr", ""))
            code = int(response.get("exit", 0))
        elif key not in LOCAL_COMMANDS and not os.environ.get("EDGESPARK_API_KEY"):
            print("Error: No API key configured. Set EDGESPARK_API_KEY.", file=sys.stderr)
            code = 3
        elif not (Path.cwd() / "edgespark.toml").is_file():
            print("Error: not an EdgeSpark project directory", file=sys.stderr)
            code = 2
        else:
            code = _behave(words, argv, Path.cwd(), script)
    except SystemExit as exc:
        code = int(exc.code or 0)
    except KeyboardInterrupt:
        print("Aborted", file=sys.stderr)
        code = 130
    entry.update(end=time.time(), exit=code)
    _log(entry)
    return code


if __name__ == "__main__":
    _state_dir().mkdir(parents=True, exist_ok=True)
    sys.exit(main(sys.argv[1:]))
