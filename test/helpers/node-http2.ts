// One request by node:http2's own client (the independent peer of the SBI server tests): its
// status and body as text.

import http2 from 'node:http2';

export function nodeHttp2Request(origin: string, headers: http2.OutgoingHttpHeaders, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(origin);
    const req = s.request(headers);
    let status = 0;
    let text = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      s.close();
      resolve({ status, body: text });
    });
    req.on('error', reject);
    req.end(body);
  });
}
