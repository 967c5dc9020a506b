/** Hostile replies a broken or malicious camera might send; each must cost the box one camera, nothing more. */
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

export type HostileMode = 'entity-expansion' | 'external-entity' | 'huge' | 'stall' | 'garbage';

const LAUGHS = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
  + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')
  + ']><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&lol9;</x></s:Body></s:Envelope>';

const XXE = '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
  + '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>&xxe;</x></s:Body></s:Envelope>';

export const HUGE_BYTES = 50 * 1024 * 1024;

/** Writes the hostile reply; returns a cleanup for replies that keep going (stall). */
export function sendHostile(mode: HostileMode, res: ServerResponse): () => void {
  res.setHeader('content-type', 'application/soap+xml; charset=utf-8');
  switch (mode) {
    case 'entity-expansion':
      res.end(LAUGHS);
      return () => undefined;
    case 'external-entity':
      res.end(XXE);
      return () => undefined;
    case 'garbage':
      res.end(randomBytes(4096));
      return () => undefined;
    case 'huge': {
      // Chunked (no Content-Length), so the client can only stop it by counting: 50 MB of one open element.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      res.write('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x>');
      const pump = (): void => {
        while (sent < HUGE_BYTES && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        if (!res.destroyed) res.end('</x></s:Body></s:Envelope>');
      };
      pump();
      return () => res.destroy();
    }
    case 'stall': {
      // Headers and a trickle of bytes, never the end: an idle timeout alone would never fire.
      res.write('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">');
      const t = setInterval(() => { if (!res.destroyed) res.write(' '); }, 200);
      res.on('close', () => clearInterval(t));
      return () => { clearInterval(t); res.destroy(); };
    }
  }
}
