# syntax=docker/dockerfile:1.7
# Constellate GPU worker: Node 20 on CUDA, onnxruntime-node with its CUDA 12 execution provider and
# @tensorflow/tfjs-node-gpu (libtensorflow 2.9, CUDA 11.x + cuDNN 8), both fetched at image build time.
# Build from the repository root (needs network):
#   docker build -f infra/gpu-worker.Dockerfile -t constellate-worker .
# Run (NVIDIA Container Toolkit on the host):
#   docker run --gpus all --read-only --tmpfs /tmp -e EDGE_URL=... -e WORKER_SECRET=... -e S3_ENDPOINT=... \
#     -e S3_ACCESS_KEY_ID=... -e S3_SECRET_ACCESS_KEY=... constellate-worker
# See infra/README.md for the variables and the health endpoint.

ARG CUDA_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
ARG NODE_IMAGE=node:20-bookworm-slim
ARG TFJS_NODE_GPU_VERSION=4.22.0

FROM ${NODE_IMAGE} AS node

# ---- build: install production dependencies with their native binaries -------------------------
FROM ${CUDA_IMAGE} AS build
ARG TFJS_NODE_GPU_VERSION
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /app
COPY . .
# The repo's .npmrc skips onnxruntime-node's download for CPU-only machines; ONNXRUNTIME_NODE_INSTALL wins
# over it and makes the postinstall fetch the CUDA 12 provider libraries.
ENV ONNXRUNTIME_NODE_INSTALL=cuda12
RUN npm ci --omit=dev --include-workspace-root -w shared -w gpu-worker \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so
# tfjs-node-gpu downloads libtensorflow (GPU) in its install script, so it is not in package.json (CPU
# machines and CI could not install it). It lives in its own prefix, linked where the worker's dynamic
# import('@tensorflow/tfjs-node-gpu') looks.
RUN npm install --prefix /opt/tfjs --omit=dev --no-audit --no-fund @tensorflow/tfjs-node-gpu@${TFJS_NODE_GPU_VERSION} \
 && ln -s /opt/tfjs/node_modules/@tensorflow/tfjs-node-gpu node_modules/@tensorflow/tfjs-node-gpu \
 && test -e /opt/tfjs/node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2
RUN rm -rf web edge tests cli client .data artifacts bench-results /root/.npm

# ---- runtime ------------------------------------------------------------------------------------
FROM ${CUDA_IMAGE}
# The base image carries CUDA 12 and cuDNN 9 for onnxruntime. libtensorflow 2.9 (tfjs-node-gpu) links
# against CUDA 11 and cuDNN 8: add those runtime libraries from NVIDIA's apt repository (already
# configured in the base image). One driver >= 525 serves both.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
      cuda-cudart-11-8 libcublas-11-8 libcufft-11-8 libcurand-11-8 libcusolver-11-8 libcusparse-11-8 libcudnn8 \
 && rm -rf /var/lib/apt/lists/*
ENV LD_LIBRARY_PATH=/usr/local/cuda-11.8/targets/x86_64-linux/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH}
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=build /opt/tfjs /opt/tfjs
COPY --from=build /app /app
RUN groupadd --system --gid 10001 constellate \
 && useradd --system --uid 10001 --gid constellate --home-dir /tmp --shell /usr/sbin/nologin constellate
WORKDIR /app
# Read-only root filesystem: everything the process writes goes to /tmp (tsx's cache, CUDA's JIT cache),
# which must be a tmpfs or a volume (--tmpfs /tmp, an emptyDir in Kubernetes).
ENV NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp \
    CUDA_CACHE_PATH=/tmp/.nv \
    TF_CPP_MIN_LOG_LEVEL=1 \
    TF_FORCE_GPU_ALLOW_GROWTH=true \
    BACKEND=auto \
    WORKER_HEALTH_PORT=8080
USER 10001:10001
EXPOSE 8080
# GET /healthz answers 200 while the worker leases or runs jobs and 503 once it is shutting down.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WORKER_HEALTH_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: the worker hands its job back (releases the lease) and exits; give it a grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--import", "tsx", "gpu-worker/src/main.ts"]
