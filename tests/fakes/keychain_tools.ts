/**
 * Fake `secret-tool` and `security` executables (POSIX shell) for the
 * keychain backends: each run records its argv, environment, PID and stdin
 * under `<dir>/calls/<n>/`, and items live as files in `<dir>/items/`.
 * `<dir>/mode` switches behaviour: `works` (default), `fail`, `hang`
 * (`exec sleep`, so the recorded PID is the sleeper) or `hang-child` (a
 * background `sleep` keeps the pipes open, its PID in `calls/<n>/child`).
 */

import { join } from "node:path";

/** One recorded run of a fake tool. */
export interface FakeCall {
  argv: string[];
  env: string;
  stdin: string;
  pid: number;
  child?: number;
}

/** A directory with a fake tool in `bin/`. */
export interface FakeTool {
  dir: string;
  bin: string;
  /** The fake's absolute path. */
  path: string;
  /** An environment with `bin` first on `PATH`. */
  env: Record<string, string>;
  /** Switches the behaviour of later runs. */
  setMode(mode: "works" | "fail" | "hang" | "hang-child"): Promise<void>;
  /** Every run so far, oldest first. */
  calls(): Promise<FakeCall[]>;
  /** Stored items: account → raw content (the value; hex for `security`). */
  items(): Promise<Map<string, string>>;
}

const COMMON = `
set -f
call_n=0
while ! mkdir "$dir/calls/$call_n" 2>/dev/null; do call_n=$((call_n + 1)); done
call="$dir/calls/$call_n"
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$call/argv"
env > "$call/env"
echo $$ > "$call/pid"
: > "$call/stdin"
mode=$(cat "$dir/mode" 2>/dev/null || echo works)
case "$mode" in
  fail) echo "$tool: Cannot autolaunch D-Bus without X11 \\$DISPLAY" >&2; exit 1 ;;
  hang) exec sleep 30 ;;
  hang-child) sleep 30 & echo $! > "$call/child"; wait; exit 0 ;;
esac
item_of() { printf '%s' "$1" | od -An -tx1 | tr -d ' \\n'; }
`;

const SECRET_TOOL = `
cmd=$1; shift
[ "$cmd" = store ] && shift
if [ "$1 $2 $3" != "service mcpc account" ] || [ $# -ne 4 ]; then
  echo "secret-tool: unexpected arguments" >&2; exit 2
fi
item="$dir/items/$(item_of "$4")"
case "$cmd" in
  store) cat > "$call/stdin"; cp "$call/stdin" "$item" ;;
  lookup) [ -f "$item" ] || exit 1; cat "$item" ;;
  clear) [ -f "$item" ] || exit 1; rm "$item" ;;
  *) echo "secret-tool: unknown command $cmd" >&2; exit 2 ;;
esac
`;

const SECURITY = `
if [ "$1" = -i ]; then
  [ $# -eq 1 ] || { echo "security: unexpected arguments" >&2; exit 2; }
  IFS= read -r line
  printf '%s\\n' "$line" > "$call/stdin"
  set -- $line
fi
cmd=$1; shift
service= account= hex= show=
while [ $# -gt 0 ]; do
  case "$1" in
    -s) service=$2; shift 2 ;;
    -a) account=$2; shift 2 ;;
    -X) hex=$2; shift 2 ;;
    -U) shift ;;
    -w) show=1; shift ;;
    *) echo "security: unexpected $1" >&2; exit 2 ;;
  esac
done
[ "$service" = mcpc ] || { echo "security: wrong service" >&2; exit 2; }
item="$dir/items/$(item_of "$account")"
case "$cmd" in
  add-generic-password) printf '%s' "$hex" > "$item" ;;
  find-generic-password)
    [ -f "$item" ] || { echo "security: The specified item could not be found in the keychain." >&2; exit 44; }
    [ -n "$show" ] || exit 0
    LC_ALL=C awk -v h=0123456789abcdef '{
      for (i = 1; i < length($0); i += 2)
        printf "%c", (index(h, substr($0, i, 1)) - 1) * 16 + index(h, substr($0, i + 1, 1)) - 1
    }' "$item"
    printf '\\n' ;;
  delete-generic-password)
    [ -f "$item" ] || { echo "security: The specified item could not be found in the keychain." >&2; exit 44; }
    rm "$item" ;;
  *) echo "security: unknown command $cmd" >&2; exit 2 ;;
esac
`;

/** Creates a fake `secret-tool` or `security` in a new temporary directory. */
export async function createFakeTool(tool: "secret-tool" | "security"): Promise<FakeTool> {
  const dir = await Deno.makeTempDir({ prefix: `fake_${tool}_` });
  const bin = join(dir, "bin");
  await Deno.mkdir(bin);
  await Deno.mkdir(join(dir, "calls"));
  await Deno.mkdir(join(dir, "items"));
  const path = join(bin, tool);
  const body = tool === "secret-tool" ? SECRET_TOOL : SECURITY;
  await Deno.writeTextFile(path, `#!/bin/sh\ndir='${dir}'\ntool='${tool}'\n${COMMON}${body}`);
  await Deno.chmod(path, 0o755);
  return {
    dir,
    bin,
    path,
    env: { PATH: `${bin}:/usr/bin:/bin`, LANG: "C", UNRELATED: "kept" },
    setMode: (mode) => Deno.writeTextFile(join(dir, "mode"), mode),
    calls: () => readCalls(join(dir, "calls")),
    items: () => readItems(join(dir, "items")),
  };
}

async function readCalls(calls: string): Promise<FakeCall[]> {
  const numbers: number[] = [];
  for await (const entry of Deno.readDir(calls)) numbers.push(Number(entry.name));
  numbers.sort((a, b) => a - b);
  const result: FakeCall[] = [];
  for (const n of numbers) {
    const at = (name: string) => Deno.readTextFile(join(calls, String(n), name)).catch(() => "");
    const argv = await at("argv");
    const child = await at("child");
    result.push({
      argv: argv === "" ? [] : argv.replace(/\n$/, "").split("\n"),
      env: await at("env"),
      stdin: await at("stdin"),
      pid: Number(await at("pid")),
      ...(child ? { child: Number(child) } : {}),
    });
  }
  return result;
}

async function readItems(items: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for await (const entry of Deno.readDir(items)) {
    const bytes = entry.name.match(/../g)!.map((pair) => parseInt(pair, 16));
    const account = new TextDecoder().decode(new Uint8Array(bytes));
    result.set(account, await Deno.readTextFile(join(items, entry.name)));
  }
  return result;
}
