#!/usr/bin/env bash
# `make demo`: the platform on the embedded SQLite default with the demo enterprise, and
# the PC agent console logged in as demo agent 1001.
#
#   SEATLINE_DEMO_PORT   port of the platform (default 8080, or the next free one)
#   SEATLINE_DEMO_DIR    where the demo keeps its databases (default .demo/)
#
# With a terminal it opens the console's UI; without one (CI, a pipe) it walks through
# the same steps with the console's subcommands and prints what the agent would see.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
dir=${SEATLINE_DEMO_DIR:-$root/.demo}
mkdir -p "$dir"

echo "demo: building the platform and the console (first time: a few minutes)"
cargo build -q -p seatline-platform -p seatline-desk
platform=$root/target/debug/seatline-platform
desk=$root/target/debug/seatline-desk

db="sqlite://$dir/platform.db"
"$platform" seed-demo --db "$db" >/dev/null

port=${SEATLINE_DEMO_PORT:-8080}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
while port_busy "$port"; do port=$((port + 1)); done

"$platform" serve --db "$db" --listen "127.0.0.1:$port" >"$dir/platform.out" 2>"$dir/platform.log" &
platform_pid=$!
trap 'kill "$platform_pid" 2>/dev/null || true; wait "$platform_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q '^listening on ' "$dir/platform.out" && break
  kill -0 "$platform_pid" 2>/dev/null || { cat "$dir/platform.log"; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$dir/platform.out" | head -1)

mobile_cmd="$desk --platform $url --data-dir $dir/mobile --device mobile"
cat <<TXT

Seatline demo platform: $url   (log: $dir/platform.log)
  enterprise: demo   agents: 1001 / 1001pass (bound number), 1002 / 1002pass, 1003 / 1003pass (no bound number)
  administrator: admin / admin123   OpenAPI: $url/api/v1/openapi.json

Log the same agent in as a mobile device from a second terminal / 在第二个终端以手机端登录同一坐席:
  $mobile_cmd login --enterprise demo --job 1001 --password 1001pass
  $mobile_cmd watch --seconds 300        # events as they arrive / 实时事件
  $mobile_cmd answer on                  # refused while the PC is idle (R5) / 电脑端空闲时被拒绝
  $mobile_cmd search 王                   # the customer library / 客户库搜索

TXT

pc=(--platform "$url" --data-dir "$dir/pc")
if [ -t 0 ] && [ -t 1 ]; then
  echo "Opening the PC console as agent 1001 (F2 answering, F3 reception, Tab switches focus, F10 quits)"
  sleep 2
  "$desk" "${pc[@]}" tui --enterprise demo --job 1001 --password 1001pass
else
  echo "No terminal: a scripted walk-through with the console's subcommands instead."
  run() { echo "\$ seatline-desk $*"; "$desk" "${pc[@]}" "$@" || true; echo; }
  run login --enterprise demo --job 1001 --password 1001pass
  run status
  run answer on
  "$desk" --platform "$url" --data-dir "$dir/mobile" --device mobile login --enterprise demo --job 1001 --password 1001pass >/dev/null
  echo "\$ seatline-desk --device mobile answer on"
  "$desk" --platform "$url" --data-dir "$dir/mobile" --device mobile answer on || true
  echo
  run search 王 --limit 5
  run search --mine --limit 5
  run add --mobile 13912345678 --name 演示客户 --company 演示公司
  run dial "138-0013 8000"
  run answer off
  run logout
fi
