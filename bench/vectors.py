#!/usr/bin/env python3
"""Static vectors at scale: generates a 1,000,000-word, 300-dimension fastText text file (the
shipped probe words spread through it, filler words elsewhere) and runs every shipped
association test on it with `mizani weat --probes default --metrics all`, reporting wall time
and peak memory (the child's maximum resident set size).

    python3 bench/vectors.py [BUILD_DIR] [WORDS] [DIM]

The file is written once to $TMPDIR (about 2.7 GB for the defaults) and reused."""
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
words = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
dim = int(sys.argv[3]) if len(sys.argv) > 3 else 300
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

probe_words = set()
for path in glob.glob(os.path.join(root, "corpora", "*", "*.json")):
    doc = json.load(open(path, encoding="utf-8"))
    for group in ("targets", "attributes"):
        for lst in doc[group]:
            probe_words.update(w if isinstance(w, str) else w["word"] for w in lst["words"])

vec = os.path.join(tempfile.gettempdir(), f"mizani-bench-{words}x{dim}.vec")
if not os.path.exists(vec):
    t0 = time.perf_counter()
    with open(vec + ".part", "w") as out:
        subprocess.run([os.path.join(build, "bench", "make_vectors"), str(words), str(dim)],
                       input="\n".join(sorted(probe_words)), text=True, stdout=out, check=True)
    os.rename(vec + ".part", vec)
    print(f"generated {vec} in {time.perf_counter() - t0:.0f} s")
size = os.path.getsize(vec)

t0 = time.perf_counter()
res = subprocess.run([os.path.join(build, "mizani"), "weat", "--quiet", "--vectors", vec,
                      "--probes", "default", "--metrics", "all", "--json"],
                     capture_output=True, text=True)
wall = time.perf_counter() - t0
if res.returncode:
    sys.exit(res.stderr)
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
result = json.loads(res.stdout)
print(f"vectors: {words} words x {dim} dims, {size / 2**30:.2f} GiB of text")
findings = result["sections"]["static"]["findings"]
print(f"probe words: {len(probe_words)}; kept from the file: {result['subject']['words_kept']}")
print(f"tests: {len(findings)}, computable {sum(f['status'] == 'computed' for f in findings)}")
print(f"wall time: {wall:.1f} s ({size / 2**20 / wall:.0f} MiB/s), peak memory: {peak_kib / 1024:.0f} MiB")
