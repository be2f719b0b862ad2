"""bench/sklearn_tsne.py — scikit-learn's TSNE on the benchmark's own 50-dim PCA inputs.

Usage: sklearn_tsne.py INPUT.f32 N D DIMS OUTPUT.f32
Reads row-major float32 N x D, runs TSNE(n_components=DIMS, perplexity=30, init='pca',
learning_rate='auto', n_jobs=2, random_state=42) with the library's other defaults, writes the
float32 embedding to OUTPUT.f32 and prints one JSON line with the wall time and final KL.
"""
import json
import sys
import time

import numpy as np
from sklearn.manifold import TSNE

path, n, d, dims, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
points = np.fromfile(path, dtype=np.float32).reshape(n, d)
start = time.perf_counter()
tsne = TSNE(n_components=dims, perplexity=30, init="pca", learning_rate="auto", n_jobs=2, random_state=42)
embedding = tsne.fit_transform(points)
seconds = time.perf_counter() - start
embedding.astype(np.float32).tofile(out)
print(json.dumps({"seconds": seconds, "kl": float(tsne.kl_divergence_), "iterations": int(tsne.n_iter_)}))
