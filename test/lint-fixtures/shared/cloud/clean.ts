// An adapter may use the SDKs and the domain.
import * as ram from '@alicloud/ram20150501';
import { CrossroleError } from '../domain/errors';

export const sdk = ram;
export const error = CrossroleError;
