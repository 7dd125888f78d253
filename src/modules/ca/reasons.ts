/**
 * The revocation reasons a producer or an operator may choose (RFC 5280 names): the others are the
 * CA's own (cACompromise) or not used here (certificateHold). Apart from service.ts so that the
 * CLI can offer them without loading the CA.
 */
export const revocableReasons = ['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'unspecified'] as const;
export type RevocableReason = (typeof revocableReasons)[number];
