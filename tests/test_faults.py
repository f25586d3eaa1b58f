"""Faults, tried as an attacker would: every remote change stays guarded, nothing hangs, no
traceback. The real `inv`, `doit`, `edgespark-tasks` and `edgespark-tasks-hook` executables run
in temporary git repos against the fake CLI (the EdgeSpark cloud is the only thing faked)."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BIN, REPO, run_tool
from hypothesis import given, settings
from hypothesis import strategies as st
from realcli_fixtures import *  # noqa: F403  (real_project, stub: the real CLI)

from edgespark_tasks import errors
from edgespark_tasks.checks.sql_safety import dangers
from edgespark_tasks.testing import FakeCli, commit_all, git

S = "server/src/defs/"


def inv(repo: Path, fake: FakeCli, *args: str, **env: str):  # type: ignore[no-untyped-def]
    return run_tool("inv", *args, cwd=repo, env=fake.environ(**env))


def deployed(repo: Path, fake: FakeCli) -> None:
    """A first full deploy, recorded and committed; the fake's call log is cleared."""
    result = inv(repo, fake, "deploy")
    assert result.returncode == 0, result.stdout + result.stderr
    commit_all(repo, "after first deploy")
    fake.clear()


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    """The single stderr line of a refused run (non-zero, no traceback)."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- point 3: the destructive-migration guard -------------------------------------------------

BYPASSES = [
    "DROP/**/TABLE tags;",
    "INSERT INTO notes VALUES ('--', 'x'); DROP TABLE tags;",
    "/* -- */ DROP TABLE tags;",
]


def _tags_survive(sql: str) -> bool:
    """Run `sql` on a fresh SQLite database holding `notes` and `tags`: is `tags` still there?"""
    db = sqlite3.connect(":memory:")
    db.executescript("CREATE TABLE notes (a TEXT, b TEXT); CREATE TABLE tags (label TEXT);")
    # A statement SQLite rejects stops the script; what ran before it stays done.
    with contextlib.suppress(sqlite3.Error):
        db.executescript(sql)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return "tags" in tables


@pytest.mark.parametrize("sql", BYPASSES)
def test_each_bypass_really_drops_the_table_in_sqlite(sql: str) -> None:
    assert not _tags_survive(sql)
    assert [d.what for d in dangers(sql)] == ["DROP TABLE"]


@pytest.mark.parametrize("sql", BYPASSES)
def test_inv_deploy_refuses_a_hidden_drop_without_confirm_dangerous(
        tasks_repo: Path, fake_cli: FakeCli, sql: str) -> None:
    deployed(tasks_repo, fake_cli)
    fake_cli.set(generate_sql=sql)
    schema = tasks_repo / S / "db_schema.ts"
    schema.write_text(schema.read_text().split("export const tags")[0])
    refused = inv(tasks_repo, fake_cli, "deploy", "--yes")
    assert refused.returncode != 0
    assert "0002_auto_migration.sql is destructive (DROP TABLE)" in refused.stderr
    assert "db migrate" not in fake_cli.commands()


@pytest.mark.parametrize("sql, what", [
    ("ALTER TABLE notes DROP COLUMN body;", "ALTER TABLE .. DROP"),
    ("DELETE FROM notes;", "DELETE"),
    ("DROP VIEW v;", "DROP VIEW"),
    ("CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM tags; END;", "DELETE"),
    ("VALUES(1); FROB notes;", "unrecognised statement"),
    ("SELECT 'unterminated; DROP TABLE tags", "unrecognised statement"),
    ("CREATE TABLE `__new_tags` (label TEXT);\n--> statement-breakpoint\n"
     "INSERT INTO `__new_tags` SELECT label FROM `tags`;\n--> statement-breakpoint\n"
     "DROP TABLE `tags`;\n--> statement-breakpoint\nALTER TABLE `__new_tags` RENAME TO `tags`;",
     "table rebuild (copy, DROP TABLE, rename)"),
])
def test_what_counts_as_destructive(sql: str, what: str) -> None:
    assert what in [d.what for d in dangers(sql)]


@pytest.mark.parametrize("sql", [
    "CREATE TABLE t (a TEXT); -- DROP TABLE tags;",
    "INSERT INTO notes VALUES ('DROP TABLE tags; --', '/* x */');",
    "DROP INDEX `tags_label_idx`; CREATE INDEX i ON tags (label);",
    "ALTER TABLE notes ADD `body2` text; ALTER TABLE notes RENAME COLUMN body2 TO body3;",
    "PRAGMA foreign_keys=OFF; UPDATE notes SET a = 'delete';",
    "CREATE TABLE t (n integer REFERENCES notes(id) ON DELETE cascade);",
    "CREATE TRIGGER t AFTER DELETE ON notes BEGIN INSERT INTO tags VALUES ('x'); END;",
])
def test_safe_statements_pass(sql: str) -> None:
    assert dangers(sql) == []


_GAP = st.lists(st.sampled_from([" ", "\n", "\t", "/**/", "/* -- ; ' */", "-- x ; '\n",
                                 "/* DROP TABLE tags; */"]), min_size=1, max_size=3).map("".join)
_TEXT = st.text(alphabet="abc -;'/*\n", max_size=12)


@st.composite
def _quoted(draw: st.DrawFn) -> str:
    """A string literal whose text may hold quotes, comment markers and statements."""
    body = draw(st.one_of(_TEXT, st.just("DROP TABLE tags;"), st.just("--"), st.just("/*")))
    return "'" + body.replace("'", "''") + "'"


@st.composite
def _filler(draw: st.DrawFn) -> str:
    """A harmless statement or comment, possibly mentioning DROP TABLE tags where inert."""
    kind = draw(st.sampled_from(["insert", "line", "block"]))
    if kind == "insert":
        return f"INSERT INTO notes VALUES ({draw(_quoted())},{draw(_GAP)}{draw(_quoted())});"
    if kind == "line":
        return "-- " + draw(_TEXT).replace("\n", " ") + " DROP TABLE tags;\n"
    return "/* " + draw(_TEXT).replace("*/", "") + " DROP TABLE tags; */"


@st.composite
def _migration(draw: st.DrawFn) -> tuple[str, bool]:
    """(SQL, whether a live DROP TABLE is in it), the drop split by any gaps."""
    before = draw(st.lists(_filler(), max_size=3))
    after = draw(st.lists(_filler(), max_size=2))
    live = draw(st.booleans())
    drop = f"DROP{draw(_GAP)}TABLE{draw(_GAP)}tags;" if live else ""
    sep = draw(_GAP)
    return sep.join([*before, drop, *after]) + "\n", live


@settings(max_examples=300, deadline=None)
@given(_migration())
def test_hidden_drop_is_found_and_inert_text_is_not(case: tuple[str, bool]) -> None:
    sql, live = case
    # SQLite itself is the oracle: the guard flags exactly the scripts that drop the table.
    assert _tags_survive(sql) is not live
    found = dangers(sql)
    assert bool(found) is live, (sql, found)


# --- point 2: a deploy that waited for the lock plans from the state of that moment ---------

def test_the_second_of_two_concurrent_deploys_does_nothing_remote(tasks_repo: Path,
                                                                  fake_cli: FakeCli) -> None:
    fake_cli.set(sleep={"deploy": 1.5})
    env = fake_cli.environ()
    first = subprocess.Popen([str(BIN / "inv"), "deploy"], cwd=tasks_repo, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    second = subprocess.Popen([str(BIN / "inv"), "deploy"], cwd=tasks_repo, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert "waiting for another edgespark command" in err2
    commands = fake_cli.commands()
    assert commands.count("deploy") == 1 and commands.count("db migrate") == 1, commands
    assert len(commands) == 8 and fake_cli.overlaps() == 0
    assert "deploy: skip (unchanged since the last success)" in out2


# --- point 5: a trickling webhook cannot hang a finished deploy -------------------------------

@contextlib.contextmanager
def trickling_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that answers one header byte every 0.3 s, for ever."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.wait(0.3):
                    try:
                        conn.sendall(b"X")
                    except OSError:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


LOCK_PROBE = '''
import filelock
from edgespark_tasks.engine.hookspecs import hookimpl

@hookimpl
def edgespark_pipeline_finished(ctx, report):
    lock = filelock.FileLock(str(ctx.project.state_dir / "cli.lock"))
    try:
        lock.acquire(timeout=0)
        lock.release()
        state = "free"
    except filelock.Timeout:
        state = "held"
    (ctx.project.root / "lock-during-finished.txt").write_text(state)
'''


def test_a_trickling_webhook_is_cut_off_and_the_lock_is_free(edgespark_project,  # type: ignore[no-untyped-def]
                                                             fake_cli: FakeCli) -> None:
    repo = edgespark_project(files={
        "tasks.py": "from edgespark_tasks.invoke import ns\n",
        "hooks/lock_probe.py": LOCK_PROBE,
        "pyproject.toml": '[tool.edgespark-tasks]\n'
                          'plugins = ["hooks/notify_webhook.py", "hooks/lock_probe.py"]\n'})
    shutil.copy(REPO / "hooks/notify_webhook.py", repo / "hooks/notify_webhook.py")
    with trickling_server() as url:
        started = time.monotonic()
        result = run_tool("inv", "deploy", cwd=repo, timeout=60, env=fake_cli.environ(
            EDGESPARK_TASKS_WEBHOOK_URL=url, EDGESPARK_TASKS_WEBHOOK_TIMEOUT="1"))
        took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "the webhook did not answer within 1s" in result.stderr
    assert took < 15, took  # the whole deploy, with a 1 s webhook budget
    assert (repo / "lock-during-finished.txt").read_text() == "free"


# --- point 7: errors after the first CLI call still report -----------------------------------

def _report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


FINISHED_MARK = '''
from edgespark_tasks.engine.hookspecs import hookimpl

@hookimpl
def edgespark_pipeline_finished(ctx, report):
    (ctx.project.root / "finished.txt").write_text(report["result"])
'''


@pytest.fixture
def marked_repo(edgespark_project) -> Path:  # type: ignore[no-untyped-def]
    """A project whose pipeline_finished plugin leaves `finished.txt` behind."""
    root: Path = edgespark_project(files={
        "tasks.py": "from edgespark_tasks.invoke import ns\n",
        "hooks/mark.py": FINISHED_MARK,
        "pyproject.toml": '[tool.edgespark-tasks]\nplugins = ["hooks/mark.py"]\n'})
    return root


def test_non_utf8_runtime_after_migrate_still_reports(marked_repo: Path,
                                                      fake_cli: FakeCli) -> None:
    runtime = marked_repo / S / "runtime.ts"
    runtime.write_bytes(runtime.read_bytes() + b"\n// caf\xe9\n")
    report = marked_repo.parent / "report.json"
    result = inv(marked_repo, fake_cli, "deploy", "--no-preflight", "--json", str(report))
    assert "db migrate" in fake_cli.commands()  # a remote change happened first
    assert result.returncode == errors.ProjectError.exit_code and "Traceback" not in result.stderr
    assert "runtime.ts is not UTF-8 text" in result.stderr.splitlines()[-1]
    assert "vars-apply       failed" in result.stdout  # the summary
    assert _report(report)["result"] == "failed"
    assert (marked_repo / "finished.txt").read_text() == "failed"


def test_a_full_disk_while_recording_reports_and_leaves_no_temp_file(marked_repo: Path,
                                                                     fake_cli: FakeCli) -> None:
    state_dir = marked_repo / ".edgespark-tasks"
    report = marked_repo.parent / "report.json"
    limit = 1500  # bytes per file: the state file outgrows it after a few steps

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run([str(BIN / "inv"), "deploy", "--json", str(report)],
                            cwd=marked_repo, env=fake_cli.environ(), capture_output=True,
                            text=True, timeout=120, preexec_fn=small_files)
    assert fake_cli.commands()[:1] == ["db migrate"]
    assert result.returncode == errors.StateWriteError.exit_code, result.stderr
    assert "Traceback" not in result.stderr
    assert "could not record success in" in result.stderr
    assert "failed" in result.stdout.splitlines()[-2] or " failed " in result.stdout
    assert not [p.name for p in state_dir.iterdir() if p.name.endswith(".tmp")]
    assert json.loads((state_dir / "state.json").read_text())  # the old state is intact
    assert (marked_repo / "finished.txt").read_text() == "failed"


def test_a_closed_pipe_does_not_stop_the_deploy(marked_repo: Path, fake_cli: FakeCli) -> None:
    report = marked_repo.parent / "report.json"
    proc = subprocess.Popen([str(BIN / "inv"), "deploy", "--json", str(report)],
                            cwd=marked_repo, env=fake_cli.environ(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None and proc.stderr is not None
    head = [proc.stdout.readline() for _ in range(2)]  # `inv deploy | head -2`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert len(head) == 2 and "Traceback" not in err and "BrokenPipe" not in err
    assert fake_cli.commands()[-1] == "deploy"
    assert _report(report)["result"] == "ok"
    assert (marked_repo / "finished.txt").read_text() == "ok"


def test_json_naming_a_folder_is_refused_before_any_cli_call(tasks_repo: Path,
                                                             fake_cli: FakeCli) -> None:
    (tasks_repo / "out").mkdir()
    line = one_line_error(inv(tasks_repo, fake_cli, "deploy", "--json", "out"))
    assert "--json out: is a folder" in line
    assert fake_cli.commands() == []


# --- also required: secrets and vars never become something else on the command line --------

def test_secrets_set_with_a_value_never_echoes_it(tasks_repo: Path, fake_cli: FakeCli) -> None:
    value = "sk_live_51Hx9Ecret0value"
    line = one_line_error(inv(tasks_repo, fake_cli, "secrets.set", f"STRIPE_SECRET_KEY={value}"))
    assert "secret set takes names only" in line and "STRIPE_SECRET_KEY" in line
    assert fake_cli.commands() == []
    result = inv(tasks_repo, fake_cli, "secrets.set", f"STRIPE_SECRET_KEY={value}")
    assert value not in result.stdout + result.stderr


@pytest.mark.parametrize("key", ["--api-key", "A=B", "-x", "9LIVES"])
def test_a_vars_key_that_is_not_a_name_never_reaches_the_cli(tasks_repo: Path,
                                                             fake_cli: FakeCli,
                                                             key: str) -> None:
    vars_file = tasks_repo / "configs/vars.yaml"
    vars_file.write_text(vars_file.read_text() + f'"{key}": "esk_evil"\n')
    line = one_line_error(inv(tasks_repo, fake_cli, "deploy"))
    assert f"{key!r} is not a var name" in line
    assert fake_cli.commands() == []


def test_a_value_starting_with_a_dash_is_passed_as_the_value(tasks_repo: Path,
                                                             fake_cli: FakeCli) -> None:
    vars_file = tasks_repo / "configs/vars.yaml"
    vars_file.write_text(vars_file.read_text().replace("Notes", '"--api-key=x"'))
    result = inv(tasks_repo, fake_cli, "vars.apply")
    assert result.returncode == 0, result.stderr
    (call,) = [c["argv"] for c in fake_cli.calls() if c["argv"][:2] == ["var", "set"]]
    assert "PUBLIC_APP_NAME=--api-key=x" in call and "--api-key=x" not in call


def test_a_key_removed_from_the_vars_file_warns_it_stays_set(tasks_repo: Path,
                                                            fake_cli: FakeCli) -> None:
    deployed(tasks_repo, fake_cli)
    vars_file = tasks_repo / "configs/vars.yaml"
    vars_file.write_text("\n".join(line for line in vars_file.read_text().splitlines()
                                   if not line.startswith("MAX_NOTES")) + "\n")
    result = inv(tasks_repo, fake_cli, "deploy")
    assert result.returncode == 0, result.stderr
    assert "MAX_NOTES_PER_USER was removed from configs/vars.yaml, but it stays set remotely" \
        in result.stderr
    assert fake_cli.commands() == []  # nothing to set
    again = inv(tasks_repo, fake_cli, "deploy")
    assert "MAX_NOTES_PER_USER" not in again.stderr  # said once


# --- issue 10, point 10: `secret list` read as the table it is -------------------------------

ODD_SECRETS = ('export type SecretKey =\n  | "GOOGLE_CLIENT_SECRET"\n  | "KEY"\n  | "AM"\n'
               '  | "webhookSecret"\n  | "BROKEN";\n')


def _odd_secrets(repo: Path, runtime: str = S + "runtime.ts") -> None:
    path = repo / runtime
    path.write_text(path.read_text().split("export type SecretKey")[0] + ODD_SECRETS)


def test_only_first_column_names_count_as_set(tasks_repo: Path, fake_cli: FakeCli) -> None:
    _odd_secrets(tasks_repo)
    fake_cli.set(secrets=["GOOGLE_CLIENT_SECRET", "webhookSecret"])
    result = inv(tasks_repo, fake_cli, "secrets.check")
    assert result.returncode == 11  # refused: secrets not set
    line = result.stderr.strip().splitlines()[-1]
    assert "secrets not set in the default environment: KEY, AM, BROKEN" in line, line
    assert "webhookSecret" not in line.split(":")[1]


def test_could_not_decrypt_does_not_make_a_secret_set(tasks_repo: Path, fake_cli: FakeCli) -> None:
    _odd_secrets(tasks_repo)
    stamp = "11/1/2026, 10:00:00 AM"
    table = (f"KEY                   CREATED                 UPDATED\n"
             f"────────────────────  ──────────────────────  ──────────────────────\n"
             f"GOOGLE_CLIENT_SECRET  {stamp}  {stamp}\n"
             f"KEY                   {stamp}  {stamp}\n"
             f"AM                    {stamp}  {stamp}\n"
             f"webhookSecret         {stamp}  {stamp}\n"
             "could not decrypt BROKEN\n")
    fake_cli.respond("secret list", stdout=table)
    result = inv(tasks_repo, fake_cli, "secrets.check")
    assert result.returncode == 11
    assert "secrets not set in the default environment: BROKEN" in result.stderr


@pytest.mark.parametrize("stdout", ["", "Secrets: (unavailable)\n", "KEY\n"])
def test_output_without_the_table_could_not_be_checked(tasks_repo: Path, fake_cli: FakeCli,
                                                      stdout: str) -> None:
    fake_cli.respond("secret list", stdout=stdout)
    result = inv(tasks_repo, fake_cli, "secrets.check")
    assert result.returncode == errors.UnreadableOutputError("x").exit_code == errors.REFUSED
    assert "could not check the secrets" in result.stderr
    assert "Traceback" not in result.stderr


def test_real_cli_secret_list_table(real_project, stub) -> None:  # type: ignore[no-untyped-def]
    _odd_secrets(real_project.root, "src/defs/runtime.ts")
    stub.secrets = ["GOOGLE_CLIENT_SECRET", "webhookSecret", "OPENAI_API_KEY"]
    missing = real_project.inv("secrets.check")
    assert missing.returncode == 11, missing.stdout + missing.stderr
    assert "secrets not set in the default environment: KEY, AM, BROKEN" in missing.stderr
    stub.secrets = []
    none = real_project.inv("secrets.check")  # `No secrets found`: every one is missing
    assert none.returncode == 11 and "GOOGLE_CLIENT_SECRET, KEY, AM" in none.stderr
    stub.secrets = ["GOOGLE_CLIENT_SECRET", "webhookSecret", "KEY", "AM", "BROKEN"]
    ok = real_project.inv("secrets.check")
    assert ok.returncode == 0, ok.stdout + ok.stderr


# --- point 8: one preflight for every front-end that changes remote state ------------------

DODO = "from edgespark_tasks.doit import *\n"


def doit(repo: Path, fake: FakeCli, *args: str):  # type: ignore[no-untyped-def]
    return run_tool("doit", *args, cwd=repo, env=fake.environ())


def _nan_journal(repo: Path) -> None:
    journal = repo / "server/drizzle/meta/_journal.json"
    journal.write_text(journal.read_text().replace('"idx": 1', '"idx": NaN'))


def _binary_auth(repo: Path) -> None:
    (repo / "configs/auth-config.yaml").write_bytes(b"\xff\xfe\x00binary\x00\x9c")


def _tracked_env(repo: Path) -> None:
    (repo / ".env.production").write_text("OPENAI_API_KEY=sk-live-abcdefghijklmnop1234\n")
    git(repo, "add", "-f", ".env.production")


UNSAFE = {"nan-journal": _nan_journal, "binary-auth": _binary_auth, "tracked-env": _tracked_env}


@pytest.mark.parametrize("fault", sorted(UNSAFE))
@pytest.mark.parametrize("tool", ["doit", "inv", "edgespark-tasks"])
def test_every_front_end_refuses_what_inv_deploy_refuses(edgespark_project,  # type: ignore[no-untyped-def]
                                                         fake_cli: FakeCli, fault: str,
                                                         tool: str) -> None:
    repo = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n",
                                    "dodo.py": DODO})
    UNSAFE[fault](repo)
    commit_all(repo, f"unsafe: {fault}")
    args = {"doit": [], "inv": ["db.migrate"], "edgespark-tasks": ["run", "auth-apply"]}[tool]
    result = run_tool(tool, *args, cwd=repo, env=fake_cli.environ())
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    remote = [c for c in fake_cli.commands() if c.split()[:2] in (
        ["db", "migrate"], ["auth", "apply"], ["deploy"], ["storage", "apply"], ["var", "set"])]
    assert remote == []


def test_doit_after_inv_deploy_redoes_nothing_remote(tasks_repo: Path, fake_cli: FakeCli) -> None:
    (tasks_repo / "dodo.py").write_text(DODO)
    deployed(tasks_repo, fake_cli)
    result = doit(tasks_repo, fake_cli)
    assert result.returncode == 0, result.stdout + result.stderr
    assert fake_cli.commands() == []


def test_inv_deploy_after_doit_redoes_nothing_remote(tasks_repo: Path, fake_cli: FakeCli) -> None:
    (tasks_repo / "dodo.py").write_text(DODO)
    first = doit(tasks_repo, fake_cli)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "deploy" in fake_cli.commands()
    fake_cli.clear()
    result = inv(tasks_repo, fake_cli, "deploy")
    assert result.returncode == 0, result.stderr
    assert fake_cli.commands() == []


# --- point 9: one clear line, never a traceback, nothing remote ------------------------------

def _write(rel: str, data: str | bytes) -> Callable[[Path], None]:
    def setup(repo: Path) -> None:
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)
    return setup


def _folder(rel: str) -> Callable[[Path], None]:
    def setup(repo: Path) -> None:
        path = repo / rel
        if path.exists():
            path.unlink()
        (path / "inside").mkdir(parents=True)
        (path / "inside" / "x.txt").write_text("x\n")
    return setup


def _symlink(rel: str, target: str) -> Callable[[Path], None]:
    def setup(repo: Path) -> None:
        (repo / rel).symlink_to(target)
    return setup


def _pyproject(text: str) -> Callable[[Path], None]:
    return _write("pyproject.toml", text)


def _state(text: str) -> Callable[[Path], None]:
    return _write(".edgespark-tasks/state.json", text)


def _toml_edit(old: str, new: str) -> Callable[[Path], None]:
    def setup(repo: Path) -> None:
        toml = repo / "edgespark.toml"
        assert old in toml.read_text()
        toml.write_text(toml.read_text().replace(old, new))
    return setup


BAD = {
    "state-env-list": (_state('{"version": 1, "environments": {"(default)": []}}'),
                       "state.json is not an edgespark-tasks state file"),
    "state-files-str": (_state('{"version": 1, "environments": {"(default)": '
                               '{"deploy": {"files": "abc"}}}}'),
                        "state.json is not an edgespark-tasks state file"),
    "state-record-list": (_state('{"version": 1, "environments": {"(default)": '
                                 '{"vars-apply": {"files": {}, "record": []}}}}'),
                          "state.json is not an edgespark-tasks state file"),
    "state-deep": (_state("[" * 100000 + "]" * 100000), "state.json is unreadable"),
    "tool-5": (_pyproject("tool = 5\n"), "pyproject.toml"),
    "invalid-pyproject": (_pyproject("[tool.edgespark-tasks]\nskip = [\n"), "pyproject.toml"),
    "bad-setting-type": (_pyproject("[tool.edgespark-tasks]\nlock_timeout = \"soon\"\n"),
                         "lock_timeout"),
    "vars-placeholder": (_pyproject('[tool.edgespark-tasks.paths]\n'
                                    'vars_file = "configs/{env}.yaml"\n'), "paths.vars_file"),
    "vars-brace": (_pyproject('[tool.edgespark-tasks.paths]\n'
                              'vars_file = "configs/vars{.yaml"\n'), "paths.vars_file"),
    "binary-toml": (_write("edgespark.toml", b"\xff\xfe\x00\x9cproject"),
                    "edgespark.toml is not valid TOML"),
    "branch-5": (_toml_edit('migration_branch = "main"', "migration_branch = 5"),
                 "migration_branch must be"),
    "binary-vars": (_write("configs/vars.yaml", b"A: \xff\xfe\x9c\n"), "vars.yaml"),
    "vars-tag": (_write("configs/vars.yaml", "PUBLIC_APP_NAME: !!int x\n"), "vars.yaml"),
    "dangling-link": (_symlink("server/src/gone.ts", "nowhere.ts"), "gone.ts"),
    "link-loop": (_symlink("server/src/loop.ts", "loop.ts"), "loop.ts"),
    "sql-folder": (_folder("server/drizzle/0002_folder.sql"), "0002_folder.sql"),
    "schema-folder": (_folder("server/src/defs/db_schema.ts"), "db_schema.ts"),
    "vars-folder": (_folder("configs/vars.yaml"), "vars.yaml"),
    "auth-folder": (_folder("configs/auth-config.yaml"), "auth-config.yaml"),
}
DOIT_READS_PYPROJECT_FIRST = {"tool-5", "invalid-pyproject"}
FRONT_ENDS = {
    "inv": ["inv", "deploy"],
    "doit": ["doit"],
    "edgespark-tasks": ["edgespark-tasks", "run", "deploy"],
    "hook": ["edgespark-tasks-hook", "offline"],
}


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_and_nothing_remote(edgespark_project, fake_cli: FakeCli,  # type: ignore[no-untyped-def]
                                                  case: str, front_end: str) -> None:
    repo = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n",
                                    "dodo.py": DODO})
    setup, needle = BAD[case]
    setup(repo)
    tool, *args = FRONT_ENDS[front_end]
    result = run_tool(tool, *args, cwd=repo, env=fake_cli.environ())
    output = result.stdout + result.stderr
    if front_end == "doit" and case in DOIT_READS_PYPROJECT_FIRST:
        # doit itself parses pyproject.toml ([tool.doit]) before it loads dodo.py, and fails
        # with its own traceback; no code of ours has run yet (README: Failure behaviour).
        assert result.returncode != 0 and "edgespark_tasks" not in output
        assert fake_cli.commands() == []
        return
    assert "Traceback" not in output, output[-3000:]
    assert fake_cli.commands() == [], output[-2000:]
    if front_end == "hook" and result.returncode == 0:
        return  # an offline hook may rightly not look at this file (state, vars...)
    assert result.returncode != 0, output[-2000:]
    error_lines = [li for li in output.splitlines() if "error" in li.lower()]
    assert error_lines and any(needle in li for li in error_lines), output[-2000:]
    if front_end in ("inv", "edgespark-tasks"):  # doit frames it in its own task report
        assert len([li for li in result.stderr.splitlines() if li.strip()]) == 1, output


def _chattr(path: Path, flag: str) -> bool:
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize("front_end", ["inv", "doit", "edgespark-tasks"])
def test_a_read_only_state_folder_is_refused_before_any_cli_call(edgespark_project,  # type: ignore[no-untyped-def]
                                                                  fake_cli: FakeCli,
                                                                  front_end: str) -> None:
    repo = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n",
                                    "dodo.py": DODO})
    state = repo / ".edgespark-tasks"
    state.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: only the immutable flag stops it
        if not _chattr(state, "+i"):
            pytest.skip("chattr +i is not supported here")
    else:
        state.chmod(0o555)
    try:
        tool, *args = FRONT_ENDS[front_end]
        result = run_tool(tool, *args, cwd=repo, env=fake_cli.environ())
    finally:
        _chattr(state, "-i") if os.geteuid() == 0 else state.chmod(0o755)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output, output
    assert fake_cli.commands() == []
    assert (".edgespark-tasks" in output and "writable" in output) or "Permission" in output \
        or "not permitted" in output, output


@pytest.mark.parametrize("front_end", ["inv", "doit", "edgespark-tasks"])
@pytest.mark.parametrize("cli", ["not-executable", "garbage"])
def test_a_broken_cli_is_one_clear_line(edgespark_project, fake_cli: FakeCli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                        front_end: str, cli: str) -> None:
    repo = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n",
                                    "dodo.py": DODO})
    broken = tmp_path / cli
    if cli == "not-executable":
        broken.write_text("#!/bin/sh\nexit 0\n")
        broken.chmod(0o644)
    else:
        broken.write_bytes(b"#!/bin/sh\nprintf '\\377\\376\\033[31mgarbage\\n'\nexit 0\n")
        broken.chmod(0o755)
    tool, *args = FRONT_ENDS[front_end]
    result = run_tool(tool, *args, cwd=repo, env=fake_cli.environ(EDGESPARK_CLI=str(broken)))
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output, output
    assert str(broken) in output


# --- also required: init --force keeps backups byte-exact and never overwrites one ----------

def test_init_force_backups_are_byte_exact_and_never_overwritten(tmp_path: Path,
                                                                 fake_cli: FakeCli) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    mine = b"# my tasks\r\nfrom invoke import task\r\n\xff\xfe latin-1 \xe9\r\n"
    (repo / "tasks.py").write_bytes(mine)
    (repo / "tasks.py.orig").write_bytes(b"an older backup\n")
    first = run_tool("edgespark-tasks", "init", "--force", cwd=repo, env=fake_cli.environ())
    assert first.returncode == 0, first.stdout + first.stderr
    assert (repo / "tasks.py.orig").read_bytes() == b"an older backup\n"
    assert (repo / "tasks.py.orig.1").read_bytes() == mine
    assert "yours is in tasks.py.orig.1" in first.stdout
    (repo / "tasks.py").write_bytes(b"# edited again\n")
    second = run_tool("edgespark-tasks", "init", "--force", cwd=repo, env=fake_cli.environ())
    assert second.returncode == 0
    assert (repo / "tasks.py.orig.1").read_bytes() == mine
    assert (repo / "tasks.py.orig.2").read_bytes() == b"# edited again\n"


BOOM_PLUGIN = '''
from edgespark_tasks.engine.hookspecs import hookimpl
from edgespark_tasks.engine.steps import Step


def _boom(ctx):
    raise ValueError("the plugin tripped over something")


@hookimpl
def edgespark_add_steps():
    return [Step(id="boom", title="boom", help="Fails unexpectedly.", action=_boom,
                 network=False, pipeline=False, when="direct")]
'''


@pytest.mark.parametrize("front_end", ["inv", "doit", "edgespark-tasks"])
def test_an_unforeseen_error_in_a_step_run_by_name_is_one_line(edgespark_project,  # type: ignore[no-untyped-def]
                                                               fake_cli: FakeCli,
                                                               front_end: str) -> None:
    repo = edgespark_project(files={
        "tasks.py": "from edgespark_tasks.invoke import ns\n", "dodo.py": DODO,
        "hooks/boom.py": BOOM_PLUGIN,
        "pyproject.toml": '[tool.edgespark-tasks]\nplugins = ["hooks/boom.py"]\n'})
    args = {"inv": ["inv", "boom"], "doit": ["doit", "edgespark:boom"],
            "edgespark-tasks": ["edgespark-tasks", "run", "boom"]}[front_end]
    result = run_tool(args[0], *args[1:], cwd=repo, env=fake_cli.environ())
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output, output
    assert "step boom stopped: ValueError: the plugin tripped over something" in output
    if front_end != "doit":
        assert result.returncode == errors.UnexpectedError.exit_code


# --- property tests: the readers of state, vars and SQL fail only with one clear error -------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["version", "environments", "(default)", "deploy",
                                       "files", "record", "vars", "migrations", "at"]),
                      children, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_any_json_state_file_loads_or_is_one_clear_error(tmp_path_factory, data) -> None:  # type: ignore[no-untyped-def]
    from edgespark_tasks.engine.state import StepRecords

    folder = tmp_path_factory.mktemp("state")
    (folder / "state.json").write_text(json.dumps(data))
    try:
        records = StepRecords(folder, None)
    except errors.ProjectError as exc:
        assert "state.json" in exc.one_line()
        return
    for step in ("deploy", "vars-apply", "db-migrate"):
        files = records.files(step)
        assert files is None or all(isinstance(v, str) for v in files.values())
        extra = (records.get(step) or {}).get("record", {})
        assert isinstance(extra.get("vars", {}), dict)
        assert isinstance(extra.get("migrations", []), list)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="AB_-=: \n'\"!{}[]#&*|>x1int", max_size=40))
def test_any_vars_file_loads_names_or_is_one_clear_error(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    from edgespark_tasks.checks.varsfile import VAR_NAME, load_vars

    path = tmp_path_factory.mktemp("vars") / "vars.yaml"
    path.write_text(text)
    try:
        values = load_vars(path)
    except errors.ProjectError as exc:
        assert "vars.yaml" in exc.one_line()
        return
    assert all(VAR_NAME.fullmatch(k) and isinstance(v, str) for k, v in values.items())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="DROP TABLE DELETE FROM;'\"`-/*\n$#()[]x", max_size=60))
def test_the_sql_guard_never_crashes(sql: str) -> None:
    for danger in dangers(sql):
        assert danger.what and isinstance(danger.statement, str)
