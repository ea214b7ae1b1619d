#!/usr/bin/env bash
# Evaluate the `openai` answer backend against a real local LLM server (not part of CI: slow on a CPU).
#
#   bash eval/run_llm_eval.sh [STRIDE]
#
# Starts eval/local_llm_server.sh (Qwen2.5-Coder-1.5B GGUF, 127.0.0.1:8081) unless a server is already
# answering there, then runs `newsqa eval --backend openai` on the page's gold set. STRIDE > 1 keeps every
# STRIDE-th question (a sample across all question types) when a full run would take too long.
set -euo pipefail
cd "$(dirname "$0")/.."
stride="${1:-1}"
port="${LLM_PORT:-8081}"
out="${OUT:-eval/out/llm}"
mkdir -p "$out"
if ! curl -sf "http://127.0.0.1:${port}/v1/models" >/dev/null; then
  LLM_PORT="$port" nohup bash eval/local_llm_server.sh >"$out/llm-server.log" 2>&1 &
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:${port}/v1/models" >/dev/null && break; sleep 2; done
fi
qa="$out/questions.jsonl"
awk -v s="$stride" '(NR - 1) % s == 0' eval/data/hengyang-2022-12-15.jsonl >"$qa"
NEWSQA_OPENAI_BASE_URL="http://127.0.0.1:${port}/v1" NEWSQA_OPENAI_MODEL="${LLM_MODEL_ALIAS:-qwen2.5-coder-1.5b-instruct}" \
NEWSQA_LLM_TIMEOUT="${NEWSQA_LLM_TIMEOUT:-300}" \
  .venv/bin/newsqa eval --qa "$qa" --corpus corpus --data-dir "$out/index" --backend openai --out "$out/report"
