/**
 * @module
 * The tracking domain: scan events, how a parcel's status follows from them, and how they render
 * into WeChat's OrderInfo. Pure: no I/O.
 */
export * from './event.js';
export * from './event-codes.js';
export * from './fingerprint.js';
export * from './render.js';
export * from './status.js';
export * from './time.js';
