// Serves a built site over HTTP on 127.0.0.1 (Python's http.server on a free port), for the
// browser tests in this directory. serve(dir) resolves to { origin, stop }.
'use strict';
const { spawn } = require('child_process');

function serve(root) {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1',
      '--directory', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const timer = setTimeout(() => { p.kill(); reject(new Error('http.server did not start')); }, 15000);
    p.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/port (\d+)/);
      if (m) { clearTimeout(timer); resolve({ origin: `http://127.0.0.1:${m[1]}`, stop: () => p.kill() }); }
    });
    p.stderr.on('data', () => {});
    p.on('exit', (c) => { clearTimeout(timer); reject(new Error(`http.server exited ${c}`)); });
  });
}

module.exports = { serve };
