/** Identifiers and dates in the cloud's formats. */
import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export function randomDigits(n: number): string {
  let s = String(1 + randomInt(9));
  for (let i = 1; i < n; i++) s += String(randomInt(10));
  return s;
}

/** `LTAI5t…` permanent key IDs, 24 characters like the real ones. */
export const newAccessKeyId = (): string => `LTAI5t${randomAlnum(18)}`;
export const newAccessKeySecret = (): string => randomAlnum(30);
/** STS key IDs must start with `STS.` (AssumeRole's `Credentials.AccessKeyId`, alibabacloud.com/help/en/ram/api-assumerole). */
export const newStsAccessKeyId = (): string => `STS.${randomAlnum(25)}`;
/** Tokens contain `+`, `/` and `=` like real ones, which exercises the clients' encoding. */
export const newSecurityToken = (): string => `CAIS${randomBytes(180).toString('base64')}`;

/** `YYYY-MM-DDTHH:mm:ssZ`, the format of RAM dates and STS Expiration. */
export function isoSeconds(d: Date | number): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const ACCOUNT_ID = /^\d{16}$/;
