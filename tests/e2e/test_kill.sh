# Kill -9 at any moment of a suite run loses nothing: hilbench is SIGKILLed
# at 20 seeded moments of a short suite run (one while make compiles the
# firmware from scratch, 14 spread over a clean run's wall time, 5 a seeded
# instant after the log says make runs, QEMU loads the images, the upload
# starts, a sample is in flight, the record is written). No process it
# started may outlive it, and `--resume` (or a rerun, when the kill came
# before the journal existed) must end in a record and journal equal to the
# clean run's, byte for byte once timestamps, wall times and this process's
# traffic counts are left out. HB_KILL_SEED picks other moments.

KILL_BOARD=qemu-m4-killtest # qemu-m4 with a firmware folder of its own, to kill a real build
KILL_SEED=${HB_KILL_SEED:-13}

# The suite run every kill interrupts. Its HB_KILL_MARK goes into the
# environment, which every process it starts inherits.
KILL_ARGS=(run --board "$KILL_BOARD" --boards-dir boards --suite "$ROOT/suites/fmnist" --limit 3 --seed 5)

# kill_run RESULTS MARK [ARGS...]: the run in the foreground.
kill_run() {
	local results=$1 mark=$2
	shift 2
	HB_KILL_MARK=$mark "$HILBENCH" "${KILL_ARGS[@]}" --results "$results" "$@"
}

# kill_marked MARK: live processes whose environment holds HB_KILL_MARK=MARK.
# A zombie has ended: it only waits for its parent (or an init that may be
# slow to reap, in a container) to collect its status.
kill_marked() {
	local file pid state
	for file in $(grep -lxzF "HB_KILL_MARK=$1" /proc/[0-9]*/environ 2>/dev/null || true); do
		pid=${file#/proc/}
		pid=${pid%/environ}
		state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$state" ] && [ "$state" != Z ] && echo "$pid"
	done
	return 0
}

# kill_describe PID...: "pid cmdline" lines.
kill_describe() {
	local pid
	for pid in "$@"; do
		echo "$pid $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | cut -c1-120)"
	done
}

# kill_no_survivors MARK DIR: true when nothing of MARK is left after 0.5 s
# but a compiler proper (cc1), and nothing at all after 3 s. QEMU and
# OpenOCD get SIGKILL and make SIGTERM when hilbench dies; the cc1 of a file
# make was building is not stopped by gcc's driver and ends that file on its
# own, its output already deleted.
kill_no_survivors() {
	local left i
	for i in $(seq 1 60); do
		left=$(kill_marked "$1")
		[ -z "$left" ] && return 0
		[ "$i" -ge 10 ] && kill_describe $left | grep -vF '/cc1 ' >"$2/survivors" && break
		sleep 0.05
	done
	kill_describe $left >"$2/survivors"
	kill -9 $left 2>/dev/null || true
	return 1
}

# kill_normal RECORD JOURNAL: the record and the journal's samples (each line's
# checksum checked, repeats of a sample folded) without what differs between
# processes by nature: timestamps, wall times, the journal's own path, and
# what this process's line carried, the deadlines it gave and any recoveries
# (a resumed run streams fewer samples, and under load a run may resend a
# frame or even reset a board; the results must not change).
kill_normal() {
	/usr/bin/python3 "$ROOT/tests/e2e/record_normal.py" "$1" "$2"
}

# kill_phase STDERR: where the run was, from the last thing it said.
kill_phase() {
	local last
	last=$(tail -n 1 "$1" 2>/dev/null || true)
	case "$last" in
	"") echo "loading" ;;
	*"building firmware"*) echo "build" ;;
	*"starting board"*) echo "flash" ;;
	*"board says"*) echo "upload+compute" ;;
	*" samples, "*) echo "record-write" ;;
	"fmnist: "*) echo "model-compile" ;;
	*) echo "report" ;;
	esac
}

# kill_finish DIR MARK [CLEAN]: resume (or rerun) the killed run in DIR and
# compare it with CLEAN if given; a problem goes into DIR/failure.
kill_finish() {
	local dir=$1 mark=$2 clean=${3:-} journal
	journal=$(ls "$dir"/results/*.jsonl 2>/dev/null | head -n 1)
	if [ -n "$journal" ]; then
		kill_run "$dir/results" "$mark-resume" --resume "$journal" >"$dir/resume.out" 2>"$dir/resume.err" ||
			{ echo "resume failed: $(tail -n 3 "$dir/resume.err")" >"$dir/failure"; return; }
	else
		kill_run "$dir/results" "$mark-rerun" >"$dir/resume.out" 2>"$dir/resume.err" ||
			{ echo "rerun failed: $(tail -n 3 "$dir/resume.err")" >"$dir/failure"; return; }
		journal=$(ls "$dir"/results/*.jsonl | head -n 1)
	fi
	kill_normal "${journal%.jsonl}.json" "$journal" >"$dir/normal.json" 2>"$dir/normal.err" ||
		{ echo "unreadable results: $(cat "$dir/normal.err")" >"$dir/failure"; return; }
	[ -z "$clean" ] || cmp -s "$clean" "$dir/normal.json" ||
		echo "results differ from the clean run: $(diff "$clean" "$dir/normal.json" | head -n 12)" >"$dir/failure"
}

# kill_wait_for DIR SIGNAL: until the run in DIR says SIGNAL on stderr, or
# (journal:N) its journal has N lines; at most 20 s.
kill_wait_for() {
	local dir=$1 signal=$2
	for _ in $(seq 1 2000); do
		case "$signal" in
		journal:*) [ "$(cat "$dir"/results/*.jsonl 2>/dev/null | wc -l)" -ge "${signal#journal:}" ] && return 0 ;;
		*) grep -qF -- "$signal" "$dir/stderr" 2>/dev/null && return 0 ;;
		esac
		sleep 0.01
	done
}

# kill_at K DELAY CLEAN [SIGNAL]: starts the run, SIGKILLs it DELAY seconds
# after its start (or after SIGNAL), checks what it left running, then
# finishes it.
kill_at() {
	local k=$1 delay=$2 clean=$3 signal=${4:-} dir=kill$1 mark="$WORK/kill$1" pid
	mkdir -p "$dir"
	# A simple command, so that $! is hilbench itself, not a subshell.
	HB_KILL_MARK=$mark "$HILBENCH" "${KILL_ARGS[@]}" --results "$dir/results" >"$dir/stdout" 2>"$dir/stderr" &
	pid=$!
	[ -z "$signal" ] || kill_wait_for "$dir" "$signal"
	sleep "$delay"
	kill_describe $(kill_marked "$mark" | grep -vx "$pid") >"$dir/children"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	kill_phase "$dir/stderr" >"$dir/phase"
	kill_no_survivors "$mark" "$dir" ||
		{ echo "outlived hilbench: $(cat "$dir/survivors")" >"$dir/failure"; return; }
	kill_finish "$dir" "$mark" "$clean"
	touch "$dir/finished"
}

# The first kill lands while make is compiling the firmware from scratch.
kill_during_compile() {
	local dir=kill0 mark="$WORK/kill0" pid compiling=""
	rm -rf "$ROOT/build/fw/$KILL_BOARD"
	mkdir -p "$dir"
	# A simple command, so that $! is hilbench itself, not a subshell.
	HB_KILL_MARK=$mark "$HILBENCH" "${KILL_ARGS[@]}" --results "$dir/results" >"$dir/stdout" 2>"$dir/stderr" &
	pid=$!
	for _ in $(seq 1 400); do
		compiling=$(kill_describe $(kill_marked "$mark") | grep -F '/cc1 ' || true)
		[ -n "$compiling" ] && break
		sleep 0.025
	done
	[ -n "$compiling" ] || fail "no compiler seen running for the firmware build of $KILL_BOARD"
	sleep "$(/usr/bin/python3 -c "import random; print(round(random.Random($KILL_SEED).uniform(0, 0.4), 3))")"
	kill_describe $(kill_marked "$mark" | grep -vx "$pid") >"$dir/children"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	echo build >"$dir/phase"
	kill_no_survivors "$mark" "$dir" || fail "outlived hilbench (killed while compiling): $(cat "$dir/survivors")"
}

test_kill_at_any_moment_then_resume_gives_the_clean_results() {
	[ -f "$ROOT/suites/fmnist/fmnist_int8.tflite" ] || skip "suites/fmnist/fmnist_int8.tflite missing"
	[ -d /usr/share/datasets/fashion-mnist ] || skip "dataset-fashion-mnist not installed"
	mkdir -p boards
	sed 's/"id": *"qemu-m4"/"id": "'$KILL_BOARD'"/' "$ROOT/boards/qemu-m4.json" >"boards/$KILL_BOARD.json"

	kill_during_compile
	kill_finish kill0 "$WORK/kill0"
	[ ! -f kill0/failure ] || fail "killed while compiling: $(cat kill0/failure)"
	touch kill0/finished

	# The clean run, twice at once as the kills run, for the wall time the
	# kills spread over (and the two must agree).
	local start end wall delays k=1 dir failures="" signal
	start=$(date +%s%N)
	kill_run clean/results "$WORK/clean" >clean.out 2>clean.err &
	kill_run clean2/results "$WORK/clean2" >clean2.out 2>clean2.err || fail "clean run: $(tail -n 3 clean2.err)"
	wait $! || fail "clean run: $(tail -n 3 clean.err)"
	end=$(date +%s%N)
	kill_normal clean/results/*.json clean/results/*.jsonl >clean.json || fail "clean run's results unreadable"
	kill_normal clean2/results/*.json clean2/results/*.jsonl >clean2.json || fail "clean run's results unreadable"
	cmp -s clean.json clean2.json || fail "two clean runs differ: $(diff clean.json clean2.json | head -n 12)"
	cmp -s clean.json kill0/normal.json ||
		fail "killed while compiling, then resumed: differs: $(diff clean.json kill0/normal.json | head -n 12)"
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')

	# 14 moments, one in each of 14 equal slices of that wall time at a
	# seeded place within it; then 5 a seeded instant after what the log
	# says: make running, QEMU loading the images, the upload starting, a
	# sample in flight, the record being written. Two runs at a time.
	delays=$(/usr/bin/python3 -c "
import random
r = random.Random($KILL_SEED + 1)
print(' '.join('%.3f' % ($wall * (k + r.random()) / 14) for k in range(14)))
print(' '.join('%.3f' % (r.random() * top) for top in (0.02, 0.05, 0.1, 0.05, 0.01)))")
	local signals=("building firmware" "starting board" "board says" "journal:3" " 3/3 samples")
	for delay in $delays; do
		signal=""
		[ "$k" -le 14 ] || signal=${signals[$((k - 15))]}
		kill_at "$k" "$delay" clean.json "$signal" &
		[ $((k % 2)) -eq 0 ] && wait
		k=$((k + 1))
	done
	wait

	local qemu_seen=0 phases
	for dir in kill*; do
		[ -f "$dir/failure" ] && failures+="$dir ($(cat "$dir/phase")): $(cat "$dir/failure")"$'\n'
		[ -f "$dir/finished" ] || failures+="$dir: ended before its checks ran"$'\n'
		grep -q qemu-system "$dir/children" && qemu_seen=$((qemu_seen + 1))
	done
	phases=$(cat kill*/phase | sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 }')
	echo "clean run ${wall} s (two at once); kills by phase: $phases QEMU running at $qemu_seen kills"
	[ "$k" -eq 20 ] || fail "$((k - 1)) kills instead of 19 after the compile"
	[ -z "$failures" ] || fail "$failures"
	# Otherwise the survivor check never met the process it is about.
	[ "$qemu_seen" -ge 1 ] || fail "no kill found QEMU running: the moments missed the runs ($phases)"
}
