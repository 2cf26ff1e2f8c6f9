// Checks that themes/zone/static/search.js cuts text into the same terms as the Rust
// indexer (src/search/tokenize.rs): the expected terms in search-vectors.json are checked
// on the Rust side by `cargo test --test search`. Usage: node tests/e2e/search-vectors.js
'use strict';
const path = require('path');
const root = path.resolve(__dirname, '..', '..');
const search = require(path.join(root, 'themes/zone/static/search.js'));
const vectors = require('./search-vectors.json');

const analyzer = (locale) => {
  const primary = locale.split(/[-_]/)[0].toLowerCase();
  return primary === 'en' ? 'en' : primary === 'de' ? 'de' : 'none';
};
let passed = 0, failed = 0;
for (const v of vectors) {
  const got = search.terms(v.text, analyzer(v.locale));
  if (JSON.stringify(got) === JSON.stringify(v.terms)) {
    passed++;
  } else {
    failed++;
    console.error(`FAIL ${v.locale}: ${v.text}\n  rust: ${v.terms.join(' ')}\n  js:   ${got.join(' ')}`);
  }
}
console.log(`search vectors: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
