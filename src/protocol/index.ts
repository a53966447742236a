/**
 * @module
 * The WeChat scan-to-track protocol: signatures, query shapes, JSONP and OrderInfo. Pure: no I/O.
 */
export * from './errors.js';
export * from './jsonp.js';
export * from './order-info.js';
export * from './query.js';
export * from './signature.js';
export * from './signed-url.js';
