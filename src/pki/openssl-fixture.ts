/** Moved to test-openssl.ts (the one openssl test fixture); kept so existing imports still work. */
export { makeOpensslCa, type IssuedByOpenssl, type OpensslCa } from './test-openssl.ts';
