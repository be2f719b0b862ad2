#!/bin/sh
# Embed a training run's features with Constellate and print the share link, using the constellate CLI.
#   CONSTELLATE_URL=... CONSTELLATE_TOKEN=cst_... sh examples/pipeline.sh features.npy labels.npy "$RUN_ID"
# Exit codes are the CLI's: 0 done, 3 the job failed, 4 bad token, 5 not found, 6 unavailable after retries.
set -eu
FEATURES=$1
LABELS=$2
RUN_ID=${3:-$(date +%Y%m%d-%H%M%S)}
# Inside this repository `npx constellate` runs the CLI; elsewhere install it or set CONSTELLATE=...
CONSTELLATE=${CONSTELLATE:-npx --no-install constellate}

# Upload both files, queue the job (the same run id never queues it twice) and follow it to the end.
# stdout gets the job id only; progress lines go to stderr.
JOB=$($CONSTELLATE submit "$FEATURES" --labels "$LABELS" \
  --perplexity "${PERPLEXITY:-30}" --iterations "${ITERATIONS:-750}" --seed 42 \
  --idempotency-key "pipeline-$RUN_ID" --wait)

$CONSTELLATE download "$JOB" --out "results/$RUN_ID" --only npy,metrics,manifest >&2
# The share link: read-only, revocable with `constellate link revoke <lnk_...>`.
$CONSTELLATE link create "$JOB"
