/**
 * Errors of the local cloud's services. Each carries the real service's error code and HTTP
 * status, so the codec can render it once, centrally, in the wire format the SDKs parse
 * (style.md convention 12). Anything that is not a ServiceError becomes `InternalError` (500).
 */

export class ServiceError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    /** Extra response headers (e.g. `x-acs-retry-after` on throttling). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof ServiceError;
}

/** The message of anything thrown, for wrapping it in a message of our own. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** POP gateway's answer to an absent required parameter: `Missing<Name>`. */
export function missingParameter(name: string): ServiceError {
  return new ServiceError(`Missing${name}`, 400, `${name} is mandatory for this action.`);
}

export const AuthErrors = {
  signatureDoesNotMatch: (detail?: string): ServiceError =>
    new ServiceError('SignatureDoesNotMatch', 400, `Specified signature is not matched with our calculation.${detail ? ` server string to sign is:${detail}` : ''}`),
  incompleteSignature: (message: string): ServiceError => new ServiceError('IncompleteSignature', 400, message),
  missingAccessKeyId: (): ServiceError => new ServiceError('MissingAccessKeyId', 400, 'AccessKeyId is mandatory for this action.'),
  timestampExpired: (value: string): ServiceError =>
    new ServiceError('InvalidTimeStamp.Expired', 400, `Specified time stamp or date value is expired. (${value})`),
  timestampFormat: (value: string): ServiceError =>
    new ServiceError('InvalidTimeStamp.Format', 400, `Specified time stamp or date value is not well formatted. (${value})`),
  nonceUsed: (): ServiceError => new ServiceError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  unsupportedSignatureMethod: (m: string): ServiceError =>
    new ServiceError('InvalidSignatureMethod', 400, `Specified signature method is not supported: ${m}.`),
  keyLookupStatus(code: string): number {
    return code === 'InvalidAccessKeyId.NotFound' ? 404 : 400;
  },
} as const;

export const noPermission = (message = 'You are not authorized to do this action. You should be authorized by RAM.'): ServiceError =>
  new ServiceError('NoPermission', 403, message);

export const internalError = (): ServiceError =>
  new ServiceError('InternalError', 500, 'The request processing has failed due to some unknown error, exception or failure.');
