// Expected outputs of Hugging Face tokenizers (the Rust library, npm package "tokenizers"
// 0.23.2) for the tokenizer.json files in tests/golden/tokenizers/ and, where present, those
// of ../shared/data/tokenizer-json/, on English and Swahili UDHR text and hard cases.
// Offsets are converted from the binding's code-point indices to byte offsets.
//   cd tests/reference && npm install --no-save tokenizers@0.23.2 && node tokenizer_goldens.js
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

const root = path.join(__dirname, '..', '..');
const udhr = JSON.parse(fs.readFileSync(path.join(root, 'corpora/parallel/udhr-en-sw.json'), 'utf8'));
const texts = [];
for (const s of udhr.segments.slice(0, 8)) texts.push(s.en, s.sw);
texts.push(
  '', '   ', 'Kila mtu ana haki ya kuishi.',
  "Ng'ombe wanakula nyasi.", 'Ng\u2019ombe', 'Ng\u02bcombe', 'Ng\u2018ombe',
  'caf\u00e9 na cafe\u0301',                       // NFC vs NFD
  'Habari \u{1F600}\u{1F44D}\u{1F3FD} \u{1F468}\u200d\u{1F469}\u200d\u{1F467}', // emoji, ZWJ
  '\u4eba\u4eba\u751f\u800c\u81ea\u7531',         // CJK
  '\u200f\u064a\u0648\u0644\u062f \u062c\u0645\u064a\u0639 \u0627\u0644\u0646\u0627\u0633', // RTL mark, Arabic
  'a\u200db a\u200cb',                            // zero-width joiner and non-joiner
  'a     b\t\t\n\n  c   ',                        // runs of whitespace
  'Kifungu cha 25. Mwaka 1948, 2024 na 3.14',
  '\u0007 kengele na soft\u00adhyphen',
  '[CLS] maneno [SEP] <s> ndani </s>',
  'ab'.repeat(5000),                              // a 10 kB word
);

function byteOffsets(text, offsets) {
  const cps = Array.from(text);
  const at = [0];
  for (const c of cps) at.push(at[at.length - 1] + Buffer.byteLength(c, 'utf8'));
  return offsets.map(([a, b]) => [at[a], at[b]]);
}

const pairs = udhr.segments.slice(1, 4).map((s) => [s.en, s.sw]).concat([['Habari?', 'Nzuri sana.'], ['', 'peke yake']]);

async function goldens(file) {
  const t = Tokenizer.fromFile(file);
  const out = [];
  for (const text of texts) {
    for (const special of [false, true]) {
      const e = await t.encode(text, null, { addSpecialTokens: special });
      const ids = e.getIds();
      out.push({ text, special, ids, offsets: byteOffsets(text, e.getOffsets()),
                 special_mask: e.getSpecialTokensMask(), word_ids: e.getWordIds().map((w) => (w === undefined || w === null ? -1 : w)),
                 decoded: await t.decode(ids, true), decoded_all: await t.decode(ids, false) });
    }
  }
  // a batch: cut to 24 tokens with specials, padded on the right to the longest
  const batchTexts = texts.slice(0, 8);
  const padToken = ['[PAD]', '<pad>'].find((p) => t.getVocab(true)[p] !== undefined);
  if (padToken) {
    const b = Tokenizer.fromFile(file);
    b.setTruncation(24);
    b.setPadding({ padId: b.getVocab(true)[padToken], padToken });
    const enc = await b.encodeBatch(batchTexts, { addSpecialTokens: true });
    out.push({ batch: batchTexts, max_length: 24, pad_id: b.getVocab(true)[padToken],
               ids: enc.map((e) => e.getIds()), attention: enc.map((e) => e.getAttentionMask()) });
  }
  for (const [a, b] of pairs) {
    const e = await t.encode(a, b, { addSpecialTokens: true });
    out.push({ text: a, pair: b, special: true, ids: e.getIds(), type_ids: e.getTypeIds(),
               special_mask: e.getSpecialTokensMask() });
  }
  return out;
}

(async () => {
  const result = {};
  const own = path.join(root, 'tests/golden/tokenizers');
  for (const f of fs.readdirSync(own).filter((f) => f.endsWith('.json') && f !== 'goldens.json').sort())
    result[f] = await goldens(path.join(own, f));
  const shared = path.join(root, '..', 'shared', 'data', 'tokenizer-json');
  if (fs.existsSync(shared))
    for (const f of fs.readdirSync(shared).filter((f) => f.endsWith('.json')).sort())
      result['shared:' + f] = await goldens(path.join(shared, f));
  fs.writeFileSync(path.join(own, 'goldens.json'), JSON.stringify(result));
  console.error('wrote goldens for', Object.keys(result).join(', '));
})();
