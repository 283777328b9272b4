import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { hostAndPort, httpOrigin } from './http-origin';

it('every IPv4 or IPv6 address and port makes a URL whose hostname and port are the ones given', () => {
  fc.assert(
    fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('::', '::1', '0.0.0.0', 'localhost')), fc.integer({ min: 1, max: 65535 }), (host, port) => {
      const url = new URL(`${httpOrigin(host, port)}/ready`);
      expect(url.port).toBe(port === 80 ? '' : String(port));
      // The URL parser writes an address in its shortest form: compare through it.
      expect(url.hostname).toBe(new URL(`http://${isIPv4(host) || host === 'localhost' ? host : `[${host}]`}/`).hostname);
      expect(hostAndPort(host, port).endsWith(`:${port}`)).toBe(true);
    }),
  );
});
