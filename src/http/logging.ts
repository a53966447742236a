/**
 * @module
 * The gateway's pino logger. Secrets never reach it: the token, signature and nonce are not
 * logged, requests are not logged by URL (the query carries all three), and openids are hashed.
 */
import { createHash } from 'node:crypto';
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'wxtrack' },
      // ISO 8601 times ("2026-07-08T04:00:00.000Z"): read by people and parsed by every tool.
      timestamp: pino.stdTimeFunctions.isoTime,
      // Belt and braces: should any caller pass one of these along, pino drops it.
      redact: {
        paths: [
          'token',
          'signature',
          'nonce',
          'openid',
          '*.token',
          '*.signature',
          '*.nonce',
          '*.openid',
          'req.url',
          'req.query',
        ],
        remove: true,
      },
      serializers: {
        req: (req: { method?: string; routeOptions?: { url?: string } }) => ({
          method: req.method,
          route: req.routeOptions?.url,
        }),
      },
    },
    destination,
  );
}

/** A stable, non-reversible tag for an openid, so one user's requests can be followed in logs. */
export function hashOpenid(openid: string): string {
  return createHash('sha256').update('wxtrack:openid:').update(openid).digest('base64url').slice(0, 16);
}
