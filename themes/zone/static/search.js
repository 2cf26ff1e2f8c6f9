/* qiao search: queries the index that `qiao build` writes to search-index/<lang>/ when
   [search] enabled = true. No dependencies and no server: the manifest, then only the term
   shards and page shards a query needs, are fetched as static JSON.

   The analyzer (fold, split, stem) mirrors src/search/tokenize.rs rule for rule; change
   both together (tests/e2e/search-vectors.json holds the cases both sides must agree on).
   Format and ranking: docs/search.md. */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------
  // Analyzer

  var CJK = /[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\u{20000}-\u{3134F}]/u;
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;
  var MARK = /\p{M}/gu;
  var SPECIAL = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ł': 'l', 'ı': 'i', 'ς': 'σ' };

  /** One code point folded: NFKD, marks dropped, lower-cased, special letters spelled out. */
  function foldChar(c) {
    if (c < '\x80') return c.toLowerCase();
    var out = '';
    for (var d of c.normalize('NFKD').replace(MARK, '')) {
      for (var l of d.toLowerCase()) out += SPECIAL[l] || l;
    }
    return out;
  }

  /** Folds `s`; `from[i]` is the index in `s` of the character folded unit `i` came from. */
  function fold(s) {
    var out = '', from = [], i = 0;
    for (var c of s) {
      var f = foldChar(c);
      for (var k = 0; k < f.length; k++) from.push(i);
      out += f;
      i += c.length;
    }
    from.push(s.length);
    return { text: out, from: from };
  }

  function germanDigraphs(w) {
    var out = '';
    for (var i = 0; i < w.length; i++) {
      var c = w[i], p = w[i - 1];
      if (c === 'e' && i > 0 && (p === 'a' || p === 'o' || (p === 'u' && w[i - 2] !== 'q'))) continue;
      out += c;
    }
    return out;
  }

  function stemEnglish(w) {
    var s = Array.from(w), n = s.length;
    if (n < 3 || s[n - 1] !== 's') return w;
    switch (s[n - 2]) {
      case 'u': case 's': return w;
      case 'e':
        if (n > 3 && s[n - 3] === 'i' && s[n - 4] !== 'a' && s[n - 4] !== 'e') return s.slice(0, n - 3).join('') + 'y';
        if ('iaoe'.indexOf(s[n - 3]) >= 0) return w;
        return s.slice(0, n - 1).join('');
      default: return s.slice(0, n - 1).join('');
    }
  }

  function stemGerman(w) {
    var s = Array.from(w), n = s.length;
    if (n < 5) return w;
    if (n > 6 && s[n - 3] === 'n' && s[n - 2] === 'e' && s[n - 1] === 'n') return s.slice(0, n - 3).join('');
    if (n > 5) {
      var last = s[n - 1], two = (last === 'n' || last === 's' || last === 'r') ? s[n - 2] === 'e' : last === 'e' && s[n - 2] === 's';
      if (two) return s.slice(0, n - 2).join('');
    }
    return 'nesr'.indexOf(s[n - 1]) >= 0 ? s.slice(0, n - 1).join('') : w;
  }

  /** The term of a folded letter-and-digit word, for analyzer `none`, `en` or `de`. */
  function wordTerm(w, analyzer) {
    if (analyzer === 'en') return stemEnglish(w);
    if (analyzer === 'de') return stemGerman(germanDigraphs(w));
    return w;
  }

  /** Splits folded text into CJK runs and words: calls emit(kind, text, start, end). */
  function scan(t, emit) {
    var i = 0, prev = '';
    while (i < t.length) {
      var c = String.fromCodePoint(t.codePointAt(i)), j = i + c.length;
      if (CJK.test(c)) {
        while (j < t.length) {
          var d = String.fromCodePoint(t.codePointAt(j));
          if (!CJK.test(d)) break;
          j += d.length;
        }
        emit('cjk', t.slice(i, j), i, j);
      } else if (ALNUM.test(c)) {
        while (j < t.length) {
          var e = String.fromCodePoint(t.codePointAt(j));
          if (!ALNUM.test(e) || CJK.test(e)) break;
          j += e.length;
        }
        var w = t.slice(i, j);
        if (!(w === 's' && (prev === "'" || prev === '\u2019'))) emit('word', w, i, j);
      }
      prev = String.fromCodePoint(t.codePointAt(j - 1));
      i = j;
    }
  }

  /** Index terms of `text` without jieba words: what tests/e2e/search-vectors.json checks. */
  function terms(text, analyzer) {
    var out = [];
    scan(fold(text).text, function (kind, s) {
      if (kind === 'word') { out.push(wordTerm(s, analyzer)); return; }
      var cs = Array.from(s);
      if (cs.length === 1) out.push(s);
      for (var k = 0; k + 1 < cs.length; k++) out.push(cs[k] + cs[k + 1]);
    });
    return out;
  }

  /** A query as groups of alternatives: {exact, prefix} per word, one group per bigram of a
      CJK run, and `words`: CJK substrings of three or more characters that score a bonus
      when the index knows them as words. */
  function parseQuery(q, analyzer) {
    var groups = [], words = [], seen = {};
    function add(g) {
      var key = (g.exact || '') + '|' + (g.prefix || '');
      if (!seen[key]) { seen[key] = true; groups.push(g); }
    }
    scan(fold(q).text, function (kind, s) {
      if (kind === 'word') {
        var t = wordTerm(s, analyzer);
        add({ exact: t, prefix: Array.from(t).length >= 3 ? t : null });
        return;
      }
      var cs = Array.from(s);
      if (cs.length === 1) { add({ exact: s, prefix: s }); return; }
      for (var k = 0; k + 1 < cs.length; k++) add({ exact: cs[k] + cs[k + 1], prefix: null });
      for (var a = 0; a < cs.length; a++) {
        for (var b = a + 3; b <= cs.length; b++) words.push(cs.slice(a, b).join(''));
      }
    });
    return { groups: groups, words: words };
  }

  var api = { fold: fold, foldChar: foldChar, wordTerm: wordTerm, terms: terms, parseQuery: parseQuery };
  if (typeof module === 'object' && module.exports) module.exports = api;
  if (typeof document === 'undefined') return;

  // ---------------------------------------------------------------------------------
  // Index access

  var root = document.getElementById('search');
  if (!root) return;
  var base = root.getAttribute('data-index');
  var cache = new Map();
  var manifest = null;

  function getJSON(url, opts) {
    if (!cache.has(url)) {
      cache.set(url, fetch(url, opts).then(function (r) {
        if (!r.ok) throw new Error(url + ': ' + r.status);
        return r.json();
      }).catch(function (e) { cache.delete(url); throw e; }));
    }
    return cache.get(url);
  }

  function loadManifest() {
    return getJSON(base + 'index.json', { cache: 'no-cache' }).then(function (m) {
      if (m.format !== 1) throw new Error('unknown index format ' + m.format);
      manifest = m;
      return m;
    });
  }

  /** The shard whose range holds `term` (terms are sorted in JavaScript's string order). */
  function shardOf(term) {
    var s = manifest.shards, lo = 0, hi = s.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (s[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function termShard(i) {
    return getJSON(base + 't' + i + '.json?v=' + manifest.version).then(function (rows) {
      if (!rows.byTerm) rows.byTerm = new Map(rows);
      return rows;
    });
  }

  function docShard(i) {
    return getJSON(base + 'd' + i + '.json?v=' + manifest.version);
  }

  /** Shards to fetch for a group: the exact term's, and the range of its prefix (at most 3). */
  function shardsFor(g) {
    var out = [];
    if (g.exact) out.push(shardOf(g.exact));
    if (g.prefix) {
      var last = Math.min(shardOf(g.prefix + '\uFFFF'), shardOf(g.prefix) + 2);
      for (var i = shardOf(g.prefix); i <= last; i++) out.push(i);
    }
    return out;
  }

  function lookup(shards, term) {
    var p = shards.get(shardOf(term));
    return p ? p.byTerm.get(term) : undefined;
  }

  /** Terms of the loaded shards that start with `prefix`, shortest first, at most 50. */
  function expand(shards, prefix) {
    var found = [];
    shards.forEach(function (rows) {
      var lo = 0, hi = rows.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (rows[mid][0] < prefix) lo = mid + 1; else hi = mid; }
      for (var k = lo; k < rows.length && rows[k][0].startsWith(prefix); k++) found.push(rows[k][0]);
    });
    found.sort(function (a, b) { return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0); });
    return found.slice(0, 50);
  }

  function eachPosting(list, fn) {
    var doc = 0;
    for (var k = 0; k < list.length; k += 2) { doc += list[k]; fn(doc, list[k + 1]); }
  }

  var PREFIX_WEIGHT = 0.5;

  /** Ranks pages: only those matching the most query groups (all of them when some page
      does; never fewer than half), by the sum of BM25 impacts (the best alternative of each
      group), then by page order. */
  function rank(query) {
    if (!manifest.shards.length) return Promise.resolve([]);
    var need = new Set();
    query.groups.forEach(function (g) { shardsFor(g).forEach(function (i) { need.add(i); }); });
    query.words.forEach(function (w) { need.add(shardOf(w)); });
    var ids = Array.from(need).sort(function (a, b) { return a - b; });
    return Promise.all(ids.map(termShard)).then(function (loaded) {
      var shards = new Map();
      ids.forEach(function (id, k) { shards.set(id, loaded[k]); });
      var score = new Map(), matched = new Map(), matchedTerms = [];
      query.groups.forEach(function (g) {
        var best = new Map();
        function take(list, w) {
          eachPosting(list, function (d, imp) {
            var s = imp * w;
            if (!(best.get(d) >= s)) best.set(d, s);
          });
        }
        var exact = g.exact && lookup(shards, g.exact);
        if (exact) { take(exact, 1); matchedTerms.push(g.exact); }
        if (g.prefix) {
          expand(shards, g.prefix).forEach(function (t) {
            if (t === g.exact) return;
            take(lookup(shards, t) || [], PREFIX_WEIGHT);
          });
        }
        best.forEach(function (s, d) {
          score.set(d, (score.get(d) || 0) + s);
          matched.set(d, (matched.get(d) || 0) + 1);
        });
      });
      query.words.forEach(function (w) {
        var list = lookup(shards, w);
        if (list) eachPosting(list, function (d, imp) { if (score.has(d)) score.set(d, score.get(d) + imp); });
      });
      var best = 0, hits = [];
      matched.forEach(function (m) { if (m > best) best = m; });
      if (2 * best < query.groups.length) return [];
      matched.forEach(function (m, d) { if (m === best) hits.push(d); });
      hits.sort(function (a, b) { return score.get(b) - score.get(a) || a - b; });
      return hits;
    });
  }

  function docs(ids) {
    var per = manifest.docs_per_shard;
    var wanted = Array.from(new Set(ids.map(function (d) { return Math.floor(d / per); })));
    return Promise.all(wanted.map(docShard)).then(function (loaded) {
      var byShard = new Map();
      wanted.forEach(function (s, k) { byShard.set(s, loaded[k]); });
      return ids.map(function (d) {
        var row = byShard.get(Math.floor(d / per))[d % per];
        return { title: row[0], path: row[1], date: row[2], section: manifest.sections[row[3]] || '', excerpt: row[4] };
      });
    });
  }

  // ---------------------------------------------------------------------------------
  // Highlighting

  /** Ranges [start, end) of `text` that match the query. */
  function matches(text, query, analyzer) {
    var f = fold(text), ranges = [];
    var exact = new Set(), prefixes = [];
    query.groups.forEach(function (g) {
      if (g.exact) exact.add(g.exact);
      if (g.prefix) prefixes.push(g.prefix);
    });
    function mark(a, b) { ranges.push([f.from[a], f.from[b] === undefined ? text.length : f.from[b]]); }
    scan(f.text, function (kind, s, start) {
      if (kind === 'word') {
        var t = wordTerm(s, analyzer);
        if (exact.has(t) || prefixes.some(function (p) { return t.startsWith(p); })) mark(start, start + s.length);
        return;
      }
      var cs = Array.from(s), pos = start;
      for (var k = 0; k < cs.length; k++) {
        var next = cs[k + 1] || '';
        if (next && exact.has(cs[k] + next)) mark(pos, pos + cs[k].length + next.length);
        else if (exact.has(cs[k]) && prefixes.indexOf(cs[k]) >= 0) mark(pos, pos + cs[k].length);
        pos += cs[k].length;
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]); else merged.push(r.slice());
    });
    return merged;
  }

  /** Appends `text` to `el`, with matches in <mark>. */
  function highlight(el, text, ranges) {
    var at = 0;
    ranges.forEach(function (r) {
      if (r[0] > at) el.appendChild(document.createTextNode(text.slice(at, r[0])));
      var m = document.createElement('mark');
      m.textContent = text.slice(r[0], r[1]);
      el.appendChild(m);
      at = r[1];
    });
    if (at < text.length) el.appendChild(document.createTextNode(text.slice(at)));
  }

  var WINDOW = 160;

  /** The part of an excerpt around its first match, with … where it was cut. */
  function excerptNode(el, text, query, analyzer, truncated) {
    var ranges = matches(text, query, analyzer);
    var start = 0;
    if (text.length > WINDOW && ranges.length) start = Math.max(0, Math.min(ranges[0][0] - 30, text.length - WINDOW));
    var end = Math.min(text.length, start + WINDOW);
    var part = text.slice(start, end);
    var shifted = ranges.filter(function (r) { return r[1] > start && r[0] < end; })
      .map(function (r) { return [Math.max(r[0], start) - start, Math.min(r[1], end) - start]; });
    if (start > 0) el.appendChild(document.createTextNode('…'));
    highlight(el, part, shifted);
    if (end < text.length || truncated) el.appendChild(document.createTextNode('…'));
  }

  // ---------------------------------------------------------------------------------
  // Page

  var form = root.querySelector('form');
  var input = root.querySelector('input[name=q]');
  var status = root.querySelector('[role=status]');
  var list = root.querySelector('.search__results');
  var more = root.querySelector('.search__more');
  var locale = document.documentElement.lang || 'en';
  var msg = function (name) { return root.getAttribute('data-msg-' + name) || ''; };
  var dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  var numberFormat = new Intl.NumberFormat(locale);
  var PAGE = 10;
  var current = { seq: 0, hits: [], shown: 0, query: null, text: '' };

  function countText(n) {
    return n === 1 ? msg('one') : msg('other').replace('{n}', numberFormat.format(n));
  }

  function setStatus(text) { status.textContent = text; }

  function render(results, query) {
    var analyzer = manifest.analyzer;
    results.forEach(function (r) {
      var li = document.createElement('li');
      li.className = 'entry search__result';
      var h = document.createElement('h2');
      h.className = 'entry__title';
      var a = document.createElement('a');
      a.href = r.path;
      highlight(a, r.title, matches(r.title, query, analyzer));
      h.appendChild(a);
      li.appendChild(h);
      var meta = document.createElement('p');
      meta.className = 'entry__meta';
      if (r.date) {
        var time = document.createElement('time');
        time.dateTime = r.date;
        time.textContent = dateFormat.format(new Date(r.date + 'T00:00:00Z'));
        meta.appendChild(time);
      }
      if (r.section) {
        if (r.date) meta.appendChild(document.createTextNode(' · '));
        var sec = document.createElement('span');
        sec.textContent = r.section;
        meta.appendChild(sec);
      }
      if (meta.childNodes.length) li.appendChild(meta);
      if (r.excerpt) {
        var p = document.createElement('p');
        p.className = 'search__excerpt';
        excerptNode(p, r.excerpt, query, analyzer, r.excerpt.length >= manifest.excerpt_length);
        li.appendChild(p);
      }
      list.appendChild(li);
    });
  }

  function showMore(seq) {
    var ids = current.hits.slice(current.shown, current.shown + PAGE);
    return docs(ids).then(function (results) {
      if (seq !== current.seq) return;
      render(results, current.query);
      current.shown += ids.length;
      if (more) more.hidden = current.shown >= current.hits.length;
    });
  }

  function search(text) {
    var seq = ++current.seq;
    text = text.trim();
    current.text = text;
    if (!text) {
      list.textContent = '';
      if (more) more.hidden = true;
      setStatus('');
      return Promise.resolve();
    }
    setStatus(msg('loading'));
    return loadManifest().then(function () {
      var query = parseQuery(text, manifest.analyzer);
      if (!query.groups.length) return [];
      current.query = query;
      return rank(query);
    }).then(function (hits) {
      if (seq !== current.seq) return;
      list.textContent = '';
      current.hits = hits;
      current.shown = 0;
      if (!hits.length) {
        if (more) more.hidden = true;
        setStatus(msg('none').replace('{q}', text));
        return;
      }
      setStatus(countText(hits.length));
      return showMore(seq);
    }).catch(function (e) {
      if (seq !== current.seq) return;
      setStatus(msg('error'));
      if (window.console) console.error(e);
    });
  }

  function updateUrl(text) {
    var url = new URL(window.location.href);
    if (text) url.searchParams.set('q', text); else url.searchParams.delete('q');
    window.history.replaceState(null, '', url);
  }

  var timer = 0;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { updateUrl(input.value.trim()); search(input.value); }, 150);
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    updateUrl(input.value.trim());
    search(input.value);
  });
  if (more) {
    more.addEventListener('click', function () {
      var first = current.shown;
      showMore(current.seq).then(function () {
        var link = list.querySelectorAll('a')[first];
        if (link) link.focus();
      });
    });
  }

  // Arrow keys move between the search box and the result links; Escape goes back.
  root.addEventListener('keydown', function (ev) {
    var links = Array.from(list.querySelectorAll('a'));
    var at = links.indexOf(document.activeElement);
    var next = null;
    if (ev.key === 'ArrowDown') next = at < 0 ? (document.activeElement === input ? links[0] : null) : links[at + 1];
    else if (ev.key === 'ArrowUp' && at >= 0) next = at === 0 ? input : links[at - 1];
    else if (ev.key === 'Escape' && at >= 0) next = input;
    if (next) { ev.preventDefault(); next.focus(); }
  });

  var initial = new URLSearchParams(window.location.search).get('q');
  if (initial) { input.value = initial; search(initial); }
  root.classList.add('search--ready');
})();
