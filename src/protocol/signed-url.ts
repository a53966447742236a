/**
 * @module
 * Building a query URL the way WeChat's front end does: for `wxtrack sign`, the demo, the
 * conformance checker and tests.
 */
import { DEFAULT_CALLBACK } from './jsonp.js';
import { computeSignature } from './signature.js';

export interface SignedUrlInput {
  /** The endpoint registered with WeChat, e.g. `https://track.example.com/wechat/track`. */
  readonly url: string;
  readonly token: string;
  readonly orderid: string;
  readonly openid: string;
  /** Unix seconds, as a string of digits. */
  readonly timestamp: string;
  readonly nonce: string;
  readonly companyId?: string;
  readonly callback?: string;
}

/** What signs one query: the URL's parameters without the endpoint. */
export type SignedParamsInput = Omit<SignedUrlInput, 'url'>;

/** The parameters WeChat sends for one query, signed, in the order its template lists them. */
export function signedQueryParams(input: SignedParamsInput): [string, string][] {
  const params: [string, string][] = [
    ['orderid', input.orderid],
    ['openid', input.openid],
    ['signature', computeSignature(input.token, input.timestamp, input.nonce)],
    ['timestamp', input.timestamp],
    ['nonce', input.nonce],
    ['callback', input.callback ?? DEFAULT_CALLBACK],
  ];
  if (input.companyId !== undefined) params.push(['company_id', input.companyId]);
  return params;
}

export function signedQueryUrl(input: SignedUrlInput): string {
  const params = new URLSearchParams(signedQueryParams(input));
  return input.url + (input.url.includes('?') ? '&' : '?') + params.toString();
}
