// Tokenizer speed, Mizani against Hugging Face tokenizers (the Rust library through its npm
// binding, one thread), measured in one run: the same tokenizer.json, the same text (the UDHR
// in English and Swahili, repeated to about 2 MB), encoded in one call, best of 3.
//   (cd tests/reference && npm install --no-save tokenizers@0.23.2)
//   RAYON_NUM_THREADS=1 node bench/tokenize.js [BUILD_DIR]
process.env.RAYON_NUM_THREADS = '1';
process.env.TOKENIZERS_PARALLELISM = 'false';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Tokenizer } = require(path.join(__dirname, '..', 'tests', 'reference', 'node_modules', 'tokenizers'));

const root = path.join(__dirname, '..');
const build = process.argv[2] || path.join(root, 'build');
const udhr = JSON.parse(fs.readFileSync(path.join(root, 'corpora/parallel/udhr-en-sw.json'), 'utf8'));
const base = udhr.segments.map((s) => s.en + '\n' + s.sw).join('\n');
const text = base.repeat(Math.ceil(2e6 / Buffer.byteLength(base)));
const file = path.join(os.tmpdir(), 'mizani-bench-text.txt');
fs.writeFileSync(file, text);

const shared = path.join(root, '..', 'shared', 'data', 'tokenizer-json');
const own = path.join(root, 'tests', 'golden', 'tokenizers');
const pick = (s, o) => (fs.existsSync(path.join(shared, s)) ? path.join(shared, s) : path.join(own, o));
const cases = [
  ['WordPiece', pick('bert-bge.tokenizer.json', 'wordpiece-bert.json')],
  ['byte-level BPE', pick('gpt-2.tokenizer.json', 'bpe-byte-level.json')],
  ['Unigram', pick('udhr-unigram.tokenizer.json', 'unigram-metaspace.json')],
];

(async () => {
  console.log(`text: ${(Buffer.byteLength(text) / 2 ** 20).toFixed(2)} MiB of UDHR English and Swahili; one thread each`);
  for (const [kind, tok] of cases) {
    const t = Tokenizer.fromFile(tok);
    let best = Infinity, n = 0;
    for (let r = 0; r < 3; r++) {
      const t0 = process.hrtime.bigint();
      const e = await t.encode(text, null, { addSpecialTokens: false });
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      n = e.getIds().length;
    }
    const [secs, count] = execFileSync(path.join(build, 'bench', 'tokenize_bench'), [tok, file, '3'])
      .toString().trim().split(' ').map(Number);
    const same = count === n ? 'same token count' : `TOKEN COUNTS DIFFER (${count} vs ${n})`;
    console.log(`${kind.padEnd(15)} ${path.basename(tok).padEnd(30)} HF ${(n / best / 1e6).toFixed(2)} M tokens/s, ` +
                `Mizani ${(count / secs / 1e6).toFixed(2)} M tokens/s, ratio ${(best / secs).toFixed(2)}x (${same})`);
  }
})();
