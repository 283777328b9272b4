/**
 * `host:port` and `http://host:port` from a listening address: an IPv6 literal (`::1`, `::`)
 * goes in brackets, or `http://::1:8000` is no URL at all (and `::1:8000` reads as one address).
 */
import { isIPv6 } from 'node:net';

export const hostAndPort = (host: string, port: number): string => (isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`);

export const httpOrigin = (host: string, port: number): string => `http://${hostAndPort(host, port)}`;
