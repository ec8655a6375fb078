// The Chromium bench's page server on 127.0.0.1: the page, neurite's bundle, and the peers' files straight from
// bench/node_modules. `isolated` adds the COOP/COEP headers that make the page cross-origin isolated, which is
// what gives it SharedArrayBuffer (so wasm threads) and a 5 µs performance.now() instead of a 100 µs one.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

export const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>neurite bench</title></head>
<body><script type="module">
import * as page from '/page.js';
window.page = page;
window.pageLoaded = true;
</script></body></html>`;

/**
 * Serves `/` (the page), `/page.js` (the bundle), each path of `files` from its file (JavaScript), and, for each
 * entry of `mounts`, `/<name>/<file>` from that directory. Nothing outside these is reachable.
 */
export async function servePage(
  bundle: string,
  mounts: Record<string, string>,
  isolated: boolean,
  files: Record<string, string> = {},
): Promise<{ server: Server; url: string }> {
  const headers = (type: string): Record<string, string> => ({
    'content-type': type,
    'cache-control': 'no-store',
    ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' } : {}),
  });
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, headers('text/html; charset=utf-8'));
      res.end(PAGE_HTML);
      return;
    }
    if (path === '/page.js') {
      res.writeHead(200, headers(TYPES['.js']!));
      res.end(bundle);
      return;
    }
    if (Object.hasOwn(files, path)) {
      res.writeHead(200, headers(TYPES['.js']!));
      createReadStream(files[path]!).pipe(res);
      return;
    }
    const [, mount, ...rest] = path.split('/');
    const root = mount ? mounts[mount] : undefined;
    const file = root ? normalize(join(root, ...rest)) : undefined;
    if (!root || !file || !file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers('text/plain'));
      res.end('not found');
      return;
    }
    res.writeHead(200, headers(TYPES[extname(file)] ?? 'application/octet-stream'));
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}
