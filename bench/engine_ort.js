// ONNX Runtime (CPU, npm onnxruntime-node) on the model bench/engine.py exported: the best wall
// and CPU seconds of REPEATS runs of one B x T batch of random ids, with THREADS intra-op
// threads. CPU seconds stay comparable on a shared machine, where wall time does not.
//   (cd bench && npm install --ignore-scripts --no-save onnxruntime-node)
//   node bench/engine_ort.js MODEL.onnx B T REPEATS THREADS
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

async function main() {
  const [file, B, T, repeats, threads] = process.argv.slice(2);
  const b = Number(B), t = Number(T), n = b * t;
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const ids = new BigInt64Array(n), mask = new BigInt64Array(n).fill(1n);
  let seed = 42;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    ids[i] = BigInt(seed % 30522);
  }
  const feeds = {
    ids: new ort.Tensor('int64', ids, [b, t]), mask: new ort.Tensor('int64', mask, [b, t]),
  };
  await session.run(feeds); // warm-up: graph optimisation and first allocations
  let best = Infinity, cpu = Infinity;
  for (let r = 0; r < Number(repeats); r++) {
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    await session.run(feeds);
    const c = process.cpuUsage(c0);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  console.log(best.toFixed(6), cpu.toFixed(6));
}

main().catch((e) => { console.error(e.message); process.exit(1); });
