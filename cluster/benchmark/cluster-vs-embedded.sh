#!/usr/bin/env bash
# The job through the sidecar on the standalone cluster (2 TaskManagers, a sidecar each) against the
# same job on the embedded cluster (flink-sidecar-local.jar, one sidecar child), same input, same
# rules, parallelism 2; and the cluster's start to a running job. Medians of --runs runs.
#
#   cluster/benchmark/cluster-vs-embedded.sh [--events N] [--runs N] [--work DIR]
#
# Per cluster run: start-cluster.sh (fresh folder), flink.sh run -d of the job over the generated
# input, until all its tasks run, until it finishes, stop-cluster.sh. Job time is RUNNING to
# FINISHED of the job (the ExecutionGraph's state timestamps: the REST API on the cluster, the same
# transitions in the log of the embedded run), so it counts deploying the tasks, reading, the
# sidecar round trips, writing and the final checkpoint's commit on both sides.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/cluster-lib.sh"

EVENTS=2000000
RUNS=3
WORK="$CLUSTER_HOME/target/benchmark"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --events) EVENTS="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        *) die "unknown argument '$1' (--events N, --runs N, --work DIR)" ;;
    esac
done
BIN="$CLUSTER_HOME/bin"
JOB_JAR="$REPO_ROOT/flink-job/target/flink-sidecar-job.jar"
LOCAL_JAR="$REPO_ROOT/flink-job/target/flink-sidecar-local.jar"
RULES="$REPO_ROOT/examples/target/rules"
for f in "$JOB_JAR" "$LOCAL_JAR" "$RULES/threshold.jar"; do
    [[ -e "$f" ]] || die "missing $f: build first with mvn -q -DskipTests package"
done
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
# Private copies: a rebuild of flink-job while the benchmark runs cannot swap a jar under a run.
cp "$JOB_JAR" "$WORK/flink-sidecar-job.jar"
cp "$LOCAL_JAR" "$WORK/flink-sidecar-local.jar"
JOB_JAR="$WORK/flink-sidecar-job.jar"
LOCAL_JAR="$WORK/flink-sidecar-local.jar"
INPUT="$WORK/payments-$EVENTS.jsonl"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

# Payment events like testdata/payments.jsonl: 10,000 cards, 2% of amounts above the threshold
# rule's 1000, 6 merchants (one watched by merchant-watch), times in order. Same bytes every run.
if [[ ! -f "$INPUT" ]]; then
    echo "generating $EVENTS events into $INPUT"
    awk -v n="$EVENTS" 'BEGIN {
        srand(42); split("Corner Market,Fuel Stop,Trattoria Roma,QuickCash Exchange,Sky Airlines,Green Valley Grocers", m, ",");
        split("US,FR,DE,GB,NL", c, ",");
        for (i = 0; i < n; i++) {
            amount = rand() < 0.02 ? 1000 + rand() * 4000 : rand() * 300;
            printf "{\"key\":\"card-%04d\",\"time\":%d,\"type\":\"payment\",\"amount\":%.2f,\"merchant\":\"%s\",\"country\":\"%s\",\"channel\":\"%s\",\"card_present\":%s}\n",
                int(rand() * 10000), 1767225600000 + i * 10, amount, m[1 + int(rand() * 6)], c[1 + int(rand() * 5)],
                rand() < 0.5 ? "web" : "pos", rand() < 0.5 ? "true" : "false";
        }
    }' >"$INPUT"
fi

echo "== standalone cluster: 2 TaskManagers with 1 slot and a sidecar each, parallelism 2 ($RUNS runs)"
: >"$WORK/cluster.tsv"
for run in $(seq 1 "$RUNS"); do
    dir="$WORK/cluster-$run"
    rm -rf "$dir" "$WORK/out-cluster-$run"
    port="$(free_port)"
    t0="$(now_ms)"
    "$BIN/start-cluster.sh" --dir "$dir" --taskmanagers 2 --rest-port "$port" --rules-dir "$RULES" >"$WORK/start-$run.log"
    t_ready="$(now_ms)"
    "$BIN/flink.sh" --dir "$dir" run -d "$JOB_JAR" --input "$INPUT" --output "$WORK/out-cluster-$run" \
        --parallelism 2 >"$WORK/submit-$run.log" 2>&1 || { cat "$WORK/submit-$run.log"; "$BIN/stop-cluster.sh" --dir "$dir"; exit 1; }
    job="$(grep -o 'JobID [0-9a-f]*' "$WORK/submit-$run.log" | cut -d' ' -f2)"
    # running: every task of the job is RUNNING (polled; a task finishing first counts as having run)
    deadline=$(($(date +%s) + 600))
    while true; do
        (($(date +%s) < deadline)) || { "$BIN/stop-cluster.sh" --dir "$dir"; die "job $job not running within 600 s; logs in $dir"; }
        state="$(rest_get "$port" "/jobs/$job" | json_get 'my $all = 1; for my $v (@{$j->{vertices}}) {
            $all = 0 unless $v->{status} eq "RUNNING" || $v->{status} eq "FINISHED" } $j->{state} . " " . $all')"
        [[ "$state" == "RUNNING 1" || "$state" == FINISHED* ]] && break
        [[ "$state" == FAILED* || "$state" == CANCELED* ]] && { "$BIN/stop-cluster.sh" --dir "$dir"; die "job $job: $state"; }
        sleep 0.05
    done
    t_running="$(now_ms)"
    # finished, and never restarted on the way (a restart would count the replayed events twice)
    while [[ "$(rest_get "$port" "/jobs/$job" | json_get '$j->{state}')" != "FINISHED" ]]; do
        restarts="$(rest_get "$port" "/jobs/$job/exceptions" | json_get 'scalar @{$j->{exceptionHistory}{entries}}')"
        if [[ "$restarts" != "0" || $(date +%s) -ge $((deadline + 1800)) ]]; then
            "$BIN/stop-cluster.sh" --dir "$dir"
            die "job $job failed or did not finish (read $dir/tm-*/taskmanager.log and the REST API's /jobs/$job/exceptions)"
        fi
        sleep 0.5
    done
    job_ms="$(rest_get "$port" "/jobs/$job" | json_get '$j->{timestamps}{FINISHED} - $j->{timestamps}{RUNNING}')"
    "$BIN/stop-cluster.sh" --dir "$dir" >/dev/null
    results="$(cat "$WORK/out-cluster-$run"/results/* | wc -l)"
    printf '%s\t%s\t%s\t%s\t%s\n' "$((t_ready - t0))" "$((t_running - t_ready))" "$((t_running - t0))" "$job_ms" "$results" \
        | tee -a "$WORK/cluster.tsv" \
        | awk -v e="$EVENTS" -F'\t' '{printf "  run: start to ready %d ms, submit to all tasks running %d ms, start to job running %d ms; job %d ms = %.0f events/s; %d results\n", $1, $2, $3, $4, e / $4 * 1000, $5}'
done

echo "== embedded cluster: java -jar flink-sidecar-local.jar --parallelism 2 (one sidecar child) ($RUNS runs)"
: >"$WORK/embedded.tsv"
for run in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/out-local-$run" "$WORK/timing-$run.log"
    t0="$(now_ms)"
    "$JAVA" -Dlog4j2.configurationFile="$CLUSTER_HOME/benchmark/log4j2-timing.properties" -Dtiming.log="$WORK/timing-$run.log" \
        -jar "$LOCAL_JAR" --input "$INPUT" --output "$WORK/out-local-$run" --rules-dir "$RULES" --parallelism 2 \
        >"$WORK/local-$run.log" 2>&1 || { cat "$WORK/local-$run.log"; exit 1; }
    wall=$(($(now_ms) - t0))
    running="$(grep -m1 'switched from state CREATED to RUNNING' "$WORK/timing-$run.log" | cut -d' ' -f1)"
    finished="$(grep -m1 'switched from state RUNNING to FINISHED' "$WORK/timing-$run.log" | cut -d' ' -f1)"
    [[ -n "$running" && -n "$finished" ]] || die "no job state changes in $WORK/timing-$run.log"
    results="$(cat "$WORK/out-local-$run"/results/* | wc -l)"
    printf '%s\t%s\t%s\n' "$wall" "$((finished - running))" "$results" | tee -a "$WORK/embedded.tsv" \
        | awk -v e="$EVENTS" -F'\t' '{printf "  run: command %d ms; job %d ms = %.0f events/s; %d results\n", $1, $2, e / $2 * 1000, $3}'
done

echo "== medians ($EVENTS events, rules: $(cd "$RULES" && ls ./*.jar | xargs -n1 basename | tr '\n' ' '))"
c_start="$(cut -f3 "$WORK/cluster.tsv" | median)"
c_ready="$(cut -f1 "$WORK/cluster.tsv" | median)"
c_job="$(cut -f4 "$WORK/cluster.tsv" | median)"
e_job="$(cut -f2 "$WORK/embedded.tsv" | median)"
e_wall="$(cut -f1 "$WORK/embedded.tsv" | median)"
awk -v cs="$c_start" -v cr="$c_ready" -v cj="$c_job" -v ej="$e_job" -v ew="$e_wall" -v e="$EVENTS" 'BEGIN {
    printf "  cluster start to ready:        %6.1f s\n", cr / 1000;
    printf "  cluster start to job running:  %6.1f s\n", cs / 1000;
    printf "  job on the cluster:            %6.1f s = %8.0f events/s\n", cj / 1000, e / cj * 1000;
    printf "  job on the embedded cluster:   %6.1f s = %8.0f events/s (whole command %.1f s)\n", ej / 1000, e / ej * 1000, ew / 1000;
    printf "  cluster / embedded throughput: %6.2f\n", ej / cj;
}'
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
