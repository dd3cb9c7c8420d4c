import * as sts from '@alicloud/sts20150401';

export const sdk = sts;
