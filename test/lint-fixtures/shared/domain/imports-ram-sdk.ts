import * as ram from '@alicloud/ram20150501';

export const sdk = ram;
