#!/usr/bin/env bash
# The voice figures of `make bench`, each beside a named peer measured in the same run
# (bench/README.md says how each is measured). Loopback only; the measured peers run one
# at a time; every peer this script starts is ended by its pid at the end.
#
#   1. mouth-to-ear delay on loopback: core → platform → SIPp echo vs baresip → SIPp echo
#   2. CPU per call-minute: the core (Opus, SRTP, jitter buffer) vs baresip
#   3. relay CPU per call: the platform's trunk + bridge vs rtpengine (userspace)
#   4. CPU per call at 500 calls/s: the platform's trunk vs Kamailio (stateful proxy)
#   5. size of the stripped release core library (libseatline_ffi.so)
#
# Knobs (environment): VB_SECS (call length for 1-3, default 20), VB_RELAY_CALLS (30),
# VB_RATE (500), VB_CALLS (5000).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

SECS=${VB_SECS:-20}
RELAY_CALLS=${VB_RELAY_CALLS:-30}
RATE=${VB_RATE:-500}
CALLS=${VB_CALLS:-5000}

work=$(mktemp -d "${TMPDIR:-/tmp}/seatline-voice-bench.XXXXXX")
results=$work/results.txt
: >"$results"
pids=()

# Ends every peer we started, by pid (SIGTERM, then SIGKILL), children first.
cleanup() {
  for pid in "${pids[@]}"; do
    for c in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill "$c" 2>/dev/null; done
    kill "$pid" 2>/dev/null
  done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  pids=()
}
trap cleanup EXIT

stop() { # stop PID: end one peer we started
  local pid=$1
  for c in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill "$c" 2>/dev/null; done
  kill "$pid" 2>/dev/null
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

say() { echo "voice-bench: $*"; }
note() { echo "$*" >>"$results"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
free_udp() {
  python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}
# An even port in 40000-49998 with the next three free (SIPp's media and echo ports).
media_port() {
  local p
  for _ in $(seq 50); do
    p=$((40000 + (RANDOM % 4999) * 2))
    if ! ss -Huln "( sport >= :$p and sport <= :$((p + 3)) )" | grep -q .; then
      echo "$p"
      return
    fi
  done
  echo 44000
}
# SIPp UAS in the background: start_uas SCENARIO PORT MEDIA_PORT LOG [extra...]
start_uas() {
  local scen=$1 port=$2 mport=$3 log=$4
  shift 4
  sipp -sf "$scen" -i 127.0.0.1 -mi 127.0.0.1 -p "$port" -mp "$mport" -nostdin \
    -buff_size 4194304 -trace_err -error_file "$log.errors" "$@" >"$log" 2>&1 &
  uas_pid=$!
  pids+=("$uas_pid")
  sleep 0.5
}

vb=$root/target/release/voice_bench

say "building voice_bench and the platform (release)"
if ! nice -n 10 cargo build --release -p seatline-bench -p seatline-platform; then
  say "the bench binary did not build: voice figures not measured"
  exit 1
fi
export SEATLINE_PLATFORM_BIN=$root/target/release/seatline-platform

run_vb() { # run_vb TIMEOUT ARGS...: one figure, RESULT lines kept
  local t=$1
  shift
  timeout --kill-after=5 "$t" nice -n 10 "$vb" "$@" 2>"$work/vb-$1.err" | tee -a "$work/vb.out"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    say "$1 failed (rc $rc): $(tail -n 5 "$work/vb-$1.err" | tr '\n' ' ')"
  fi
  return 0
}

# --- 1 and 2: mouth-to-ear and CPU per call-minute ---------------------------------------
say "1/2 baresip → SIPp echo (Opus), $SECS s"
p=$(free_udp)
mp=$(media_port)
start_uas bench/sipp/uas_echo_opus.xml "$p" "$mp" "$work/echo-opus.log" -rtp_echo -m 1
run_vb $((SECS + 60)) baresip-echo --uri "sip:echo@127.0.0.1:$p" --secs "$SECS" --codec opus
stop "$uas_pid"

say "1/2 core → platform → SIPp echo (Opus+SRTP to the platform, PCMU on the trunk), $SECS s"
p=$(free_udp)
mp=$(media_port)
start_uas bench/sipp/uas_short.xml "$p" "$mp" "$work/echo-pcmu.log" -rtp_echo -m 1
run_vb $((SECS + 90)) core-echo --echo "127.0.0.1:$p" --secs "$SECS"
stop "$uas_pid"

# --- 3: relay CPU per call -----------------------------------------------------------------
say "3 rtpengine (userspace, --table=-1) relaying $RELAY_CALLS calls, 50 pps each way, $SECS s"
ng=$(free_udp)
mp=$(media_port)
rtpengine --config-file=none --table=-1 --interface=127.0.0.1 --listen-ng="127.0.0.1:$ng" \
  --port-min=$((mp + 4)) --port-max=$((mp + 4 + RELAY_CALLS * 8)) --foreground --log-stderr \
  --log-level=4 >"$work/rtpengine.log" 2>&1 &
rtpe=$!
pids+=("$rtpe")
sleep 1
if kill -0 "$rtpe" 2>/dev/null; then
  run_vb $((SECS + 60)) rtpengine --ng "127.0.0.1:$ng" --pid "$rtpe" --calls "$RELAY_CALLS" --secs "$SECS"
else
  say "rtpengine did not start: $(tail -n 3 "$work/rtpengine.log")"
fi
stop "$rtpe"

say "3 platform trunk + bridge: $RELAY_CALLS bridged calls (2 legs each) to a SIPp echo, $SECS s"
p=$(free_udp)
mp=$(media_port)
start_uas bench/sipp/uas_short.xml "$p" "$mp" "$work/echo-bridge.log" -rtp_echo
run_vb $((SECS + 90)) trunk-bridge --uas "127.0.0.1:$p" --calls "$RELAY_CALLS" --secs "$SECS" \
  --rtp-first $((mp + 100)) --rtp-count 400
stop "$uas_pid"

# --- 4: CPU per call at a fixed rate ---------------------------------------------------------
sipp_counts() { # sipp_counts STAT.csv: "successful failed" from the last line
  tail -n 1 "$1" 2>/dev/null | awk -F';' '{print $16, $18}'
}

say "4 Kamailio (stateful proxy) between SIPp UAC and UAS: $CALLS calls at $RATE/s"
kp=$(free_udp)
up=$(free_udp)
cp=$(free_udp)
mp=$(media_port)
sed "s/@PROXY@/127.0.0.1:$kp/; s/@UAS@/127.0.0.1:$up/" bench/kamailio/kamailio.cfg >"$work/kamailio.cfg"
kamailio -f "$work/kamailio.cfg" -DD -E -m 256 -M 16 >"$work/kamailio.log" 2>&1 &
kam=$!
pids+=("$kam")
start_uas bench/sipp/uas_short.xml "$up" "$mp" "$work/uas-k.log"
sleep 1
if kill -0 "$kam" 2>/dev/null; then
  kpids="$kam $(ps -o pid= --ppid "$kam" | tr '\n' ' ')"
  load=$(load1)
  c0=$("$vb" cpu $kpids)
  ump=$(media_port)
  t0=$(date +%s.%N)
  timeout 300 nice -n 10 sipp -sf bench/sipp/uac_short.xml "127.0.0.1:$kp" -s bench -i 127.0.0.1 \
    -mi 127.0.0.1 -p "$cp" -mp "$ump" -r "$RATE" -m "$CALLS" -d 0 -nostdin -buff_size 4194304 \
    -trace_stat -stf "$work/uac-k.csv" -trace_err -error_file "$work/uac-k.errors" \
    >"$work/uac-k.log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  c1=$("$vb" cpu $kpids)
  read -r okc failc <<<"$(sipp_counts "$work/uac-k.csv")"
  awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v n="$CALLS" -v ok="$okc" \
    -v failed="$failc" -v rc="$rc" -v load="$load" -v rate="$RATE" 'BEGIN {
      printf "RESULT kamailio calls=%d ok=%s failed=%s sipp_rc=%s rate=%s wall_s=%.1f cpu_s=%.3f cpu_us_per_call=%.0f load=%s\n",
        n, ok, failed, rc, rate, t1 - t0, c1 - c0, (c1 - c0) * 1e6 / n, load }' | tee -a "$work/vb.out"
else
  say "kamailio did not start: $(tail -n 3 "$work/kamailio.log")"
fi
stop "$uas_pid"
stop "$kam"

say "4 platform trunk placing $CALLS calls at $RATE/s to a SIPp UAS (INVITE, 200, ACK, BYE)"
up=$(free_udp)
mp=$(media_port)
start_uas bench/sipp/uas_short.xml "$up" "$mp" "$work/uas-t.log"
run_vb 300 trunk-dial --uas "127.0.0.1:$up" --rate "$RATE" --calls "$CALLS" \
  --rtp-first $((mp + 100)) --rtp-count 4000
stop "$uas_pid"

# --- 5: size of the release core library ----------------------------------------------------
say "5 cargo build --release -p seatline-ffi"
if nice -n 10 cargo build --release -p seatline-ffi >"$work/ffi.log" 2>&1; then
  so=$root/target/release/libseatline_ffi.so
  echo "RESULT ffi-size bytes=$(stat -c %s "$so") file=target/release/libseatline_ffi.so" | tee -a "$work/vb.out"
else
  say "seatline-ffi did not build: $(tail -n 3 "$work/ffi.log")"
fi

cleanup

# --- the table --------------------------------------------------------------------------------
field() { # field NAME KEY: KEY= of the RESULT line NAME
  grep "^RESULT $1 " "$work/vb.out" 2>/dev/null | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}
or_not() { # or_not VALUE REASON
  if [ -n "$1" ] && [ "$1" != none ]; then echo "$1"; else echo "not measured: $2"; fi
}
media=${TMPDIR:-/tmp}/seatline-bench-media.txt
crit() { # crit NAME: criterion's middle estimate
  [ -f "$media" ] && awk -v n="$1" '$1 == n { f = 1 }
    f && /time:/ { for (i = 1; i <= NF; i++) if ($i == "time:") { print $(i + 3), $(i + 4); exit } }' "$media"
}

b_rt=$(field baresip-echo round_trip_ms)
c_rt=$(field core-echo round_trip_ms)
added=""
if [ -n "$b_rt" ] && [ -n "$c_rt" ] && [ "$b_rt" != none ] && [ "$c_rt" != none ]; then
  added=$(awk -v b="$b_rt" -v c="$c_rt" 'BEGIN { printf "%.1f", (c - b) / 2 }')
fi
echo
echo "==================== voice figures (loopback, 2 cores shared; load = 1-min load average) ===================="
printf '%-44s | %-34s | %-34s\n' "figure" "Seatline" "peer"
printf '%-44s-+-%-34s-+-%-34s\n' "$(printf '%.0s-' {1..44})" "$(printf '%.0s-' {1..34})" "$(printf '%.0s-' {1..34})"
row() { printf '%-44s | %-34s | %-34s\n' "$1" "$2" "$3"; }
row "1 round trip via SIPp echo (ms)" "$(or_not "$c_rt" "see core-echo error")" "baresip $(or_not "$b_rt" "see baresip-echo error")"
row "1 one-way = round trip / 2 (ms)" "$(or_not "$(field core-echo one_way_ms)" "-")" "baresip $(or_not "$(field baresip-echo one_way_ms)" "-")"
row "1 added one-way delay, Seatline - baresip" "$(or_not "$added" "needs both round trips")" ""
row "2 CPU per call-minute (ms CPU)" "core $(or_not "$(field core-echo cpu_ms_per_call_min)" "-")" "baresip $(or_not "$(field baresip-echo cpu_ms_per_call_min)" "-")"
row "  codec" "core Opus+SRTP to the platform" "baresip $(field baresip-echo codec), no SRTP"
row "  load" "$(field core-echo load)" "$(field baresip-echo load)"
row "3 relay CPU per call-minute (ms CPU)" "trunk+bridge $(or_not "$(field trunk-bridge cpu_ms_per_call_min)" "-")" "rtpengine $(or_not "$(field rtpengine cpu_ms_per_call_min)" "-")"
row "  calls x seconds, load" "$(field trunk-bridge calls) x $(field trunk-bridge secs), $(field trunk-bridge load)" "$(field rtpengine calls) x $(field rtpengine secs), $(field rtpengine load)"
row "4 CPU per call at $RATE/s (us CPU)" "trunk UAC $(or_not "$(field trunk-dial cpu_us_per_call)" "-")" "Kamailio $(or_not "$(field kamailio cpu_us_per_call)" "-")"
row "  ok / failed, load" "$(field trunk-dial ok)/$(field trunk-dial failed), $(field trunk-dial load)" "$(field kamailio ok)/$(field kamailio failed) rc $(field kamailio sipp_rc), $(field kamailio load)"
row "5 libseatline_ffi.so, release, stripped (B)" "$(or_not "$(field ffi-size bytes)" "build failed")" ""
row "5 aarch64-android .so" "not measured: no NDK linker here" ""
for n in opus_encode_20ms opus_decode_20ms g711_ulaw_encode_20ms resample_48k_to_8k_20ms jitter_push_pop; do
  v=$(crit "$n")
  row "  criterion $n" "${v:-not run}" ""
done
echo
echo "voice-bench: raw results and peer logs in $work"
