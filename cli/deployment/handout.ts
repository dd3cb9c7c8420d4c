/**
 * What the owner hands to partners and approvers once Crossrole is deployed: where the API is (the
 * HTTP trigger URLs FC 3.0 gives `crossrole-intake` and `crossrole-approval`, read with GetFunction
 * and ListTriggers, or one custom domain), the region, the STS endpoint identity proofs are signed
 * for, the owner account, and the one `crossrole configure` command that writes it all down.
 */
import type { FcClient } from '../../shared/cloud';
import { DEFAULT_FUNCTION_PREFIX } from '../../shared/domain/fc-deployment';
import { errorMessage } from '../../shared/domain/errors';
import { checkApiUrl } from '../client-config';
import { UsageError } from '../errors';

interface Handout {
  /** Both trigger URLs, or undefined with `missing` saying why. */
  intakeUrl?: string;
  approvalUrl?: string;
  /** A custom domain base given with --api-url, instead of the two URLs. */
  apiUrl?: string;
  region: string;
  stsEndpoint: string;
  ownerAccountId: string;
  mnsEndpoint: string;
  /** What to run, for partners and for approvers; undefined while the API is not known. */
  partnerCommand?: string;
  approverCommand?: string;
  /** Why the API is not known yet (functions not deployed, no HTTP trigger, no permission). */
  missing?: string;
}

/** The public URL of a function's HTTP trigger, or why there is none. */
export async function httpTriggerUrl(fc: FcClient, functionName: string): Promise<{ url: string } | { problem: string }> {
  try {
    const fn = await fc.getFunction(functionName);
    if (fn === undefined) return { problem: `function ${functionName} does not exist (not deployed yet: run \`s deploy\`)` };
    const http = (await fc.listTriggers(functionName)).filter((t) => t.type === 'http');
    if (http.length === 0) return { problem: `function ${functionName} has no HTTP trigger (s.yaml declares one: run \`s deploy\`)` };
    const url = http.map((t) => t.urlInternet).find((u) => u !== undefined);
    if (url === undefined) return { problem: `the HTTP trigger of ${functionName} has no public URL (disableURLInternet is set); pass --api-url with the custom domain partners use` };
    return { url: url.replace(/\/+$/, '') };
  } catch (e) {
    return { problem: `cannot read function ${functionName} through the FC 3.0 API: ${errorMessage(e)}` };
  }
}

const quote = (v: string): string => (/^[A-Za-z0-9_./:@,+=-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

interface HandoutInput {
  fc: FcClient;
  region: string;
  stsEndpoint: string;
  ownerAccountId: string;
  mnsEndpoint: string;
  /** --api-url: a custom domain in front of both functions. */
  apiUrl?: string;
  functionPrefix?: string;
}

export async function buildHandout(input: HandoutInput): Promise<Handout> {
  const base: Handout = { region: input.region, stsEndpoint: input.stsEndpoint, ownerAccountId: input.ownerAccountId, mnsEndpoint: input.mnsEndpoint };
  let api: string[];
  if (input.apiUrl !== undefined) {
    const checked = checkApiUrl(input.apiUrl);
    if ('problem' in checked) throw new UsageError(`--api-url ${checked.problem}`);
    base.apiUrl = checked.url;
    api = ['--api-url', checked.url];
  } else {
    const prefix = input.functionPrefix ?? DEFAULT_FUNCTION_PREFIX;
    const [intake, approval] = await Promise.all([httpTriggerUrl(input.fc, `${prefix}intake`), httpTriggerUrl(input.fc, `${prefix}approval`)]);
    if ('problem' in intake || 'problem' in approval) {
      base.missing = [intake, approval].flatMap((r) => ('problem' in r ? [r.problem] : [])).join('; ');
      return base;
    }
    base.intakeUrl = intake.url;
    base.approvalUrl = approval.url;
    api = ['--intake-url', intake.url, '--approval-url', approval.url];
  }
  // The owner account lets `crossrole doctor` tell a partner from the owner's people.
  const common = [...api, '--region', input.region, '--sts-endpoint', input.stsEndpoint, '--owner-account', input.ownerAccountId];
  base.partnerCommand = ['crossrole', 'configure', ...common].map(quote).join(' ');
  base.approverCommand = ['crossrole', 'configure', ...common, '--mns-endpoint', input.mnsEndpoint].map(quote).join(' ');
  return base;
}

/** The hand-out as text, to paste into an e-mail. */
export function handoutLines(h: Handout): string[] {
  const lines = ['Hand this to partners (and approvers):'];
  if (h.apiUrl !== undefined) lines.push(`  API (custom domain)  ${h.apiUrl}`);
  if (h.intakeUrl !== undefined) lines.push(`  intake URL           ${h.intakeUrl}`);
  if (h.approvalUrl !== undefined) lines.push(`  approval URL         ${h.approvalUrl}`);
  lines.push(`  region               ${h.region}`, `  STS endpoint         ${h.stsEndpoint}`, `  owner account        ${h.ownerAccountId}`);
  if (h.missing !== undefined) {
    lines.push(`  The API URLs are not known yet: ${h.missing}.`, '  Deploy the functions (`s deploy`), then run `crossrole bootstrap` again: it changes nothing and prints the hand-out.');
    return lines;
  }
  lines.push('Partners run:', `  ${h.partnerCommand ?? ''}`, 'Approvers run (their inbox also reads the approvals queue):', `  ${h.approverCommand ?? ''}`);
  return lines;
}
