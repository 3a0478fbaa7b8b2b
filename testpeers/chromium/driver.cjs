// Drives one page of an already running Chromium for a Rust test.
//
// The Rust side (testpeers/src/chromium.rs) launches Chromium itself (so it owns the process and
// kills it), then starts this script with:
//   PLAYWRIGHT_CORE  absolute path of the installed playwright-core package
//   CDP_ENDPOINT     Chromium's DevTools websocket (ws://127.0.0.1:.../devtools/browser/...)
//   PAGE_FILE        the HTML page to open; served here over http://127.0.0.1:<random port>/
//                    (a secure context, so getUserMedia works, and loopback only)
// Protocol on stdin/stdout, one JSON object per line:
//   in:  {"id": 1, "call": "makeOffer", "args": [...]}   calls window.makeOffer(...args)
//   out: {"id": 1, "ok": <result>} or {"id": 1, "err": "message"}
// The first line out is {"ready": true}. EOF on stdin closes the page and exits.
'use strict';
const http = require('http');
const fs = require('fs');
const readline = require('readline');
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

function serve(file) {
  const body = fs.readFileSync(file);
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const server = await serve(process.env.PAGE_FILE);
  const browser = await chromium.connectOverCDP(process.env.CDP_ENDPOINT);
  const context = browser.contexts()[0] || (await browser.newContext());
  const page = await context.newPage();
  page.on('console', (m) => process.stderr.write(`page: ${m.text()}\n`));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
  out({ ready: true });

  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (e) {
      out({ id: null, err: `bad json: ${e}` });
      continue;
    }
    try {
      const ok = await page.evaluate(
        ([name, args]) => window[name](...args),
        [msg.call, msg.args || []],
      );
      out({ id: msg.id, ok: ok === undefined ? null : ok });
    } catch (e) {
      out({ id: msg.id, err: String(e && e.message ? e.message : e) });
    }
  }
  await page.close().catch(() => {});
  server.close();
  // Do not close the browser: the Rust side owns and ends it.
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`driver: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
