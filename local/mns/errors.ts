/**
 * MNS error codes exactly as the real service spells them (including its `InvalidDegist` typo),
 * with their HTTP statuses. One class carries them from the store and handlers to the single
 * place that renders the `<Error>` XML (codec.ts), so no handler formats errors itself.
 */
import { ServiceError } from '../core/errors';

const MNS_ERROR_STATUS = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  'InvalidSecurityToken.Expired': 403,
  'InvalidSecurityToken.MismatchWithAccessKey': 403,
  'InvalidSecurityToken.Malformed': 403,
  MissingSecurityToken: 403,
  InvalidAuthorizationHeader: 400,
  MissingAuthorizationHeader: 400,
  InvalidDateHeader: 400,
  MissingDateHeader: 400,
  MissingVersionHeader: 400,
  InvalidVersionHeader: 400,
  // The error-code table lists 408; other pages also mention 400/403 (local/COVERAGE.md, MNS).
  TimeExpired: 408,
  InvalidDegist: 400,
  InvalidArgument: 400,
  MalformedXML: 400,
  InvalidRequestURL: 400,
  InvalidQueryString: 400,
  MissingReceiptHandle: 400,
  MissingVisibilityTimeout: 400,
  InvalidQueueName: 400,
  QueueNameLengthError: 400,
  ReceiptHandleError: 400,
  QueueNotExist: 404,
  MessageNotExist: 404,
  QueueAlreadyExist: 409,
  InternalError: 500,
} as const;

type MnsErrorCode = keyof typeof MNS_ERROR_STATUS;

/** An expected MNS failure; anything else thrown inside the service becomes `InternalError`. */
export class MnsError extends ServiceError {
  declare readonly code: MnsErrorCode;

  constructor(code: MnsErrorCode, message: string) {
    super(code, MNS_ERROR_STATUS[code], message);
    this.name = 'MnsError';
  }
}

export const queueNotExist = (): MnsError => new MnsError('QueueNotExist', 'The queue name you provided is not exist.');
export const messageNotExist = (): MnsError => new MnsError('MessageNotExist', 'Message not exist.');
export const receiptHandleError = (): MnsError => new MnsError('ReceiptHandleError', 'The receipt handle you provide is not valid.');

/**
 * An out-of-range value: 400 InvalidArgument, "The value of Element must be between Low and High
 * seconds/bytes." (MNS error codes, www.alibabacloud.com/help/doc-detail/27501.html).
 */
export const outOfRange = (element: string, low: number, high: number, unit: 'seconds' | 'bytes' | '' = 'seconds'): MnsError =>
  new MnsError('InvalidArgument', `The value of ${element} must be between ${low} and ${high}${unit === '' ? '' : ` ${unit}`}.`);
