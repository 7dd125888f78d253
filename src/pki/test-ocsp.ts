/**
 * Test support: an OCSP responder on a loopback HTTP server (POST /ocsp and GET /ocsp/<base64>),
 * for clients that must reach it over the network (openssl ocsp, NSS through pdfsig). Used only
 * by *.test.ts files.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OcspResponder } from './ocsp.ts';

/** `getResponder` is called per request, so a test may swap the responder between requests. */
export async function serveOcsp(getResponder: () => OcspResponder): Promise<{ server: Server; baseUrl: string; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (der: Uint8Array) => {
        res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': der.length });
        res.end(der);
      };
      const path = req.url ?? '';
      if (req.method === 'POST' && path === '/ocsp') {
        void getResponder().respond(new Uint8Array(Buffer.concat(chunks))).then(send);
      } else if (req.method === 'GET' && path.startsWith('/ocsp/')) {
        void getResponder().respondToGet(path.slice('/ocsp/'.length)).then(send);
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, baseUrl, url: `${baseUrl}/ocsp` };
}
