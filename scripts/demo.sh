#!/usr/bin/env bash
# `make demo`: the platform on the embedded SQLite default with the demo enterprise, a
# customer phone (baresip) behind the platform's SIP trunk that answers and plays a
# recorded phrase, and the PC agent console logged in as demo agent 1001, ready to call
# it. Without a sound card the console records what the agent hears to .demo/pc/.
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

echo "demo: building the platform, the console and the customer phone (first time: a few minutes)"
cargo build -q -p seatline-platform -p seatline-desk -p seatline-testpeers --bin seatline-platform --bin seatline-desk --bin customer-phone
platform=$root/target/debug/seatline-platform
desk=$root/target/debug/seatline-desk
phone=$root/target/debug/customer-phone

# The customer's recorded phrase, spoken by espeak-ng (Debian); a tone if it cannot be had.
phrase=$dir/customer-phrase.wav
if [ ! -s "$phrase" ]; then
  command -v espeak-ng >/dev/null || scripts/ensure-apt.sh espeak-ng >/dev/null 2>&1 || true
  if command -v espeak-ng >/dev/null; then
    espeak-ng -v cmn -s 150 -w "$phrase" \
      "您好，我是演示客户，请问有什么可以帮您？ Hello, this is the Seatline demo customer." || rm -f "$phrase"
  fi
fi
phone_args=(--record-dir "$dir/customer")
if [ -s "$phrase" ]; then phone_args+=(--play "$phrase"); else phone_args+=(--tone 1000); fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
"$phone" "${phone_args[@]}" >"$dir/customer-phone.out" 2>"$dir/customer-phone.log" &
pids+=($!)
for _ in $(seq 100); do
  grep -q '^customer-phone sip ' "$dir/customer-phone.out" && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$dir/customer-phone.log"; exit 1; }
  sleep 0.1
done
customer_sip=$(sed -n 's/^customer-phone sip //p' "$dir/customer-phone.out" | head -1)

db="sqlite://$dir/platform.db"
"$platform" seed-demo --db "$db" >/dev/null

port=${SEATLINE_DEMO_PORT:-8080}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
while port_busy "$port"; do port=$((port + 1)); done

# Every number goes out through the trunk to the demo customer phone (the carrier).
"$platform" serve --db "$db" --listen "127.0.0.1:$port" --sip-listen 127.0.0.1:0 \
  --rtp-ports 40000-40999 --trunk-route "=$customer_sip" >"$dir/platform.out" 2>"$dir/platform.log" &
platform_pid=$!
pids+=("$platform_pid")
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
  customer phone (baresip, answers by itself, plays a recorded phrase): 13900000001
  (reached through the platform's SIP trunk; other numbers get 404 from it, as from a carrier;
   what the customer heard: $dir/customer/)

Log the same agent in as a mobile device from a second terminal / 在第二个终端以手机端登录同一坐席:
  $mobile_cmd login --enterprise demo --job 1001 --password 1001pass
  $mobile_cmd watch --seconds 300        # events as they arrive / 实时事件
  $mobile_cmd answer on                  # refused while the PC is idle (R5) / 电脑端空闲时被拒绝
  $mobile_cmd search 王                   # the customer library / 客户库搜索

TXT

pc=(--platform "$url" --data-dir "$dir/pc")
if [ -t 0 ] && [ -t 1 ]; then
  echo "Opening the PC console as agent 1001: type 13900000001 and Enter to call the demo customer"
  echo "  (F8 hang up, F7 hold: the customer hears music, F4 VoIP/callback, F2 answering, F10 quits)"
  echo "  No sound card? What the agent hears is recorded to $dir/pc/last-call.wav"
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
  echo "A VoIP call to the demo customer: 8 s of talk, on hold (music) from 3 s to 5 s."
  run call 13900000001 --seconds 8 --hold-at 3 --hold-for 2
  run records --number 13900000001
  echo "What the agent heard: $dir/pc/last-call.wav   what the customer heard: $dir/customer/"
  run answer off
  run logout
fi
