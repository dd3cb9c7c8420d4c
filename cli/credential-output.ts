/**
 * Temporary credentials as partners use them: the environment variables the SDKs and CLIs read,
 * printed for a shell (POSIX sh, fish, PowerShell), as JSON, or as the aliyun CLI's External-mode
 * answer; and the quoting each shell needs so that no value can break out of its string. Pure.
 */
import { shellQuote } from './format';

export const CREDENTIAL_FORMATS = ['env', 'fish', 'powershell', 'json', 'aliyun-external'] as const;
export type CredentialFormat = (typeof CREDENTIAL_FORMATS)[number];

export function isCredentialFormat(v: string): v is CredentialFormat {
  return (CREDENTIAL_FORMATS as readonly string[]).includes(v);
}

interface TemporaryCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
}

/**
 * The variables set for a session, in the order printed. Every name a common reader looks for, all
 * set to the same session, so a stale long-term key in one of them cannot win over the session:
 * - ALIBABA_CLOUD_*: the credentials libraries' environment provider (@alicloud/credentials and
 *   its siblings for Go, Java, Python) and therefore every V2 SDK;
 * - ALIBABACLOUD_* and ALICLOUD_*_KEY_ID / _SECRET / _TOKEN: the aliyun CLI's own environment
 *   credentials (AliyunContainerService/ack-ram-tool `env/aliyuncli.go` lists them as the CLI reads them);
 * - ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY / ALICLOUD_SECURITY_TOKEN: the Terraform alicloud provider.
 * The same set as aliyun/configure-aliyun-credentials-action exports, plus the CLI's ALICLOUD_ forms.
 * - ALIBABA_CLOUD_IGNORE_PROFILE=TRUE: the aliyun CLI ranks its config file above the environment
 *   ("Priority order": flags, ~/.aliyun/config.json, environment variables), so a partner's own
 *   configured profile would win over the session; with this set (upper case) it ignores the
 *   profiles and uses the environment's credentials (alibabacloud.com/help/en/cli/environment-variables;
 *   aliyun-cli config/configuration.go LoadProfileWithContext).
 */
export function credentialEnvironment(c: TemporaryCredentials): Array<[string, string]> {
  return [
    ['ALIBABA_CLOUD_ACCESS_KEY_ID', c.accessKeyId],
    ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', c.accessKeySecret],
    ['ALIBABA_CLOUD_SECURITY_TOKEN', c.securityToken],
    ['ALIBABACLOUD_ACCESS_KEY_ID', c.accessKeyId],
    ['ALIBABACLOUD_ACCESS_KEY_SECRET', c.accessKeySecret],
    ['ALIBABACLOUD_SECURITY_TOKEN', c.securityToken],
    ['ALICLOUD_ACCESS_KEY_ID', c.accessKeyId],
    ['ALICLOUD_ACCESS_KEY_SECRET', c.accessKeySecret],
    ['ALICLOUD_ACCESS_KEY', c.accessKeyId],
    ['ALICLOUD_SECRET_KEY', c.accessKeySecret],
    ['ALICLOUD_SECURITY_TOKEN', c.securityToken],
    ['ALIBABA_CLOUD_IGNORE_PROFILE', 'TRUE'],
  ];
}

/**
 * fish: inside single quotes only `\\` and `\'` are escapes, and a newline is literal
 * (fish documentation, "Quotes"), so escaping those two closes every way out.
 */
export function fishQuote(s: string): string {
  return `'${s.replace(/[\\']/g, (ch) => `\\${ch}`)}'`;
}

/**
 * PowerShell: a single-quoted string has no escapes and no expansion; a quote is doubled. PowerShell
 * also takes the typographic quotes U+2018, U+2019, U+201A and U+201B as single quotes
 * (about_Quoting_Rules), so each is doubled too, or it would end the string.
 */
export function powershellQuote(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201A\u201B]/g, (ch) => ch + ch)}'`;
}

export interface AssumedSession {
  roleArn: string;
  assumedRoleArn: string;
  expiration: Date;
  sessionName: string;
  sourceIdentity?: string;
  credentials: TemporaryCredentials;
}

/**
 * The aliyun CLI's External mode runs `process_command` and reads this JSON from its stdout
 * (aliyun/aliyun-cli docs/en/configuration.md, "External": `{"mode": "StsToken", "access_key_id",
 * "access_key_secret", "sts_token"}`; config/profile.go unmarshals it into the profile, so a field
 * it does not know is ignored). `expiration` is read by @alicloud/credentials 2.4.7
 * (src/providers/external.ts), which then reuses the session until shortly before it ends instead
 * of running the command again for every call.
 */
function aliyunExternalJson(c: TemporaryCredentials, expiration: Date): string {
  return JSON.stringify({ mode: 'StsToken', access_key_id: c.accessKeyId, access_key_secret: c.accessKeySecret, sts_token: c.securityToken, expiration: expiration.toISOString() });
}

/** The text printed on stdout for a format (the caller prints nothing else there). */
export function renderCredentials(format: CredentialFormat, s: AssumedSession): string {
  const vars = credentialEnvironment(s.credentials);
  switch (format) {
    case 'env':
      return vars.map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n');
    case 'fish':
      return vars.map(([k, v]) => `set -gx ${k} ${fishQuote(v)};`).join('\n');
    case 'powershell':
      return vars.map(([k, v]) => `$Env:${k} = ${powershellQuote(v)}`).join('\n');
    case 'aliyun-external':
      return aliyunExternalJson(s.credentials, s.expiration);
    case 'json':
      return JSON.stringify({
        roleArn: s.roleArn,
        assumedRoleArn: s.assumedRoleArn,
        sessionName: s.sessionName,
        ...(s.sourceIdentity === undefined ? {} : { sourceIdentity: s.sourceIdentity }),
        accessKeyId: s.credentials.accessKeyId,
        accessKeySecret: s.credentials.accessKeySecret,
        securityToken: s.credentials.securityToken,
        expiration: s.expiration.toISOString(),
      }, null, 2);
  }
}

/** How to load the output in each shell, for the comment on stderr. */
export function usageLine(format: CredentialFormat, command: string): string | undefined {
  switch (format) {
    case 'env':
      return `eval "$(${command})"`;
    case 'fish':
      return `${command} | source`;
    case 'powershell':
      return `${command} | Out-String | Invoke-Expression`;
    default:
      return undefined;
  }
}
