/**
 * Why a PDF could not be signed: a stable code for programs and a message in Chinese, then
 * English. The library knows no HTTP; the service that calls it maps these to AppError.
 */
export type PdfSignErrorCode =
  | 'PDF_SIGN_UNSUPPORTED_KEY'
  | 'PDF_SIGN_KEY_MISMATCH'
  | 'PDF_SIGN_UNREADABLE'
  | 'PDF_SIGN_ENCRYPTED'
  | 'PDF_SIGN_NO_PAGE'
  | 'PDF_SIGN_SPACE';

export class PdfSignError extends Error {
  constructor(
    readonly code: PdfSignErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PdfSignError';
  }
}
