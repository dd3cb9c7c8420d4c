/**
 * `crossrole demo`: Alibaba Cloud's cross-account RAM role tutorial (docs/architecture.md,
 * "Mission") played end to end against the local stack with the real workflow: HTTP APIs with identity proofs, the approvals queue, the
 * provisioning/revocation functions, RAM, STS and ECS through the official SDKs. Every step checks
 * that the cloud behaved as narrated; the first one that does not ends the demo with exit 1.
 */
import { createRamAdapter, createStsClient, type AssumedRoleCredentials, type RamAdapter } from '../../shared/cloud';
import type { AccessRequest } from '../../shared/domain/access-request';
import { formatDuration, parseDuration } from '../../shared/domain/duration';
import type { LocalContract } from '../../shared/contract/local-contract';
import { approverNotified } from './demo-webhooks';
import { createApprovalsQueue } from '../approvals-queue';
import { createSession, type Session } from '../context';
import { CliError, ExitCode, UsageError } from '../errors';
import type { Ui } from '../ui';
import { attempt, listInstances, partnerAdmin, type PartnerAdmin } from './demo-cloud';
import { findOrStartStack } from './demo-stack';
import { sleep, waitForStatus } from './wait';
import { errorMessage } from '../../shared/domain/errors';

interface DemoOptions {
  shortDuration: string;
}

/** A step that did not behave as narrated. */
class DemoFailure extends CliError {
  constructor(message: string) {
    super('DEMO_STEP_FAILED', message, { hint: 'the local stack did not behave as the tutorial says; see the step above (and the stack\'s log).' });
  }
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new DemoFailure(message);
}

const DEMO_POLICY_PREFIX = 'crossrole-demo-assume-';
const ROLE_NAME_ASKED = 'Partner-ReadOnly-Access';

interface Narrator {
  step(title: string): void;
  say(text: string): void;
  ok(text: string): void;
  block(text: string): void;
  steps(): string[];
}

/** Narration goes to stdout (stderr with --json, which prints a summary at the end). */
function narrator(ui: Ui): Narrator {
  const write = ui.json ? (t: string) => ui.info(t) : (t: string) => ui.out(t);
  const titles: string[] = [];
  return {
    step(title) {
      titles.push(title);
      write('');
      write(ui.c.bold(ui.c.cyan(`${titles.length}. ${title}`)));
    },
    say: (text) => write(`   ${text}`),
    ok: (text) => write(`   ${ui.c.green('✓')} ${text}`),
    block: (text) => write(text.split('\n').map((l) => `     ${ui.c.dim(l)}`).join('\n')),
    steps: () => titles,
  };
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

interface Cast {
  partner: Session;
  approver: Session;
  bob: Session;
  ownerRam: RamAdapter;
  partnerAdmin: PartnerAdmin;
  contract: LocalContract;
}

async function bobAssume(cast: Cast, roleArn: string, externalId: string | undefined, sessionName: string) {
  const { credentials } = await cast.bob.credentials();
  const eps = cast.bob.endpoints();
  const sts = createStsClient({ endpoint: eps.sts.host, protocol: eps.sts.protocol, credentials, logger: cast.bob.logger, retry: { maxAttempts: 1 } });
  return attempt(() => sts.assumeRole({ roleArn, roleSessionName: sessionName, durationSeconds: 3600, ...(externalId === undefined ? {} : { externalId }) }));
}

function bobLists(cast: Cast, token: AssumedRoleCredentials) {
  const eps = cast.bob.endpoints();
  return attempt(() => listInstances(eps.ecs, eps.region, token));
}

/** The approver takes the queued message for `id` (others are put back at once), and deletes it once decided. */
async function approverFindsMessage(cast: Cast, id: string): Promise<{ found: boolean; done: () => Promise<void> }> {
  const { credentials } = await cast.approver.credentials();
  const eps = cast.approver.endpoints();
  const queue = createApprovalsQueue({ endpoint: eps.mns, accountId: cast.contract.ownerAccountId, region: eps.region, credentials, logger: cast.approver.logger });
  const mine: string[] = [];
  const deadline = Date.now() + 5000;
  while (mine.length === 0 && Date.now() < deadline) {
    for (const m of await queue.receive(60)) {
      if (m.body.includes(id)) mine.push(m.receiptHandle);
      else await queue.showAgainIn(m.receiptHandle, 1);
    }
  }
  return { found: mine.length > 0, done: async () => { for (const h of mine) await queue.delete(h); } };
}

async function grantBob(cast: Cast, r: AccessRequest, n: Narrator, showPolicy: boolean): Promise<string> {
  check(r.grant !== undefined, `request ${r.id} is ACTIVE but has no grant details`);
  const policyName = `${DEMO_POLICY_PREFIX}${r.id.replace(/-/g, '').slice(0, 12)}`;
  const document = (await cast.partner.api().get(r.id)).request.grant?.partnerPolicy ?? r.grant.partnerPolicy;
  if (showPolicy) {
    n.say(`The partner fetches the step-2 policy (crossrole partner-policy ${r.id}):`);
    n.block(prettyJson(document));
  }
  await cast.partnerAdmin.grantUser(policyName, document, 'bob');
  n.ok(`B's admin created custom policy ${policyName} in account ${cast.contract.partnerAccountId} and attached it to Bob (RAM CreatePolicy + AttachPolicyToUser).`);
  return policyName;
}

async function requestAndApprove(cast: Cast, n: Narrator, body: { profile: string; duration: string; reason: string; roleName?: string }): Promise<AccessRequest> {
  const submitted = await cast.partner.api().submit(body);
  n.ok(`partner-admin submitted request ${submitted.id}: ${body.profile} for ${body.duration}, status ${submitted.status}.`);
  if (submitted.status === 'PENDING') {
    const msg = await approverFindsMessage(cast, submitted.id);
    check(msg.found, `no approval message for ${submitted.id} arrived on crossrole-approvals`);
    await cast.approver.api().approve(submitted.id, { reason: 'demo' });
    await msg.done();
    n.ok('Alice found it in her inbox and approved it.');
  }
  const active = await waitForStatus(cast.partner, submitted.id, { timeoutSeconds: 45 });
  check(active.status === 'ACTIVE', `request ${submitted.id} ended ${active.status}, not ACTIVE${active.lastError ? ` (${active.lastError})` : ''}`);
  n.ok(`Provisioned: ${active.grant?.roleArn ?? active.roleName} is ACTIVE until ${active.expiresAt ?? '?'}.`);
  return active;
}

/**
 * B asks for 2h more; Alice approves; provisioning moves the guard's default version and the role's
 * expiry tag, then the ledger's expiry. Checked in RAM with the SDK, as A's admin.
 */
async function extendStep(cast: Cast, n: Narrator, active: AccessRequest): Promise<void> {
  n.step('B needs longer: the grant is extended (an approver agrees; RAM and the ledger move together)');
  const asked = await cast.partner.api().extend(active.id, { duration: '2h', reason: 'The audit needs another afternoon' });
  check(asked.extension.status === 'PENDING', `expected a PENDING extension, got ${asked.extension.status}`);
  n.ok(`crossrole extend ${active.id} --by 2h: extension ${asked.extension.status}, ${asked.extension.fromExpiresAt} -> ${asked.extension.newExpiresAt}.`);
  const msg = await approverFindsMessage(cast, active.id);
  check(msg.found, `no extension-needed message for ${active.id} on crossrole-approvals`);
  await cast.approver.api().decideExtension(active.id, 'approve', { reason: 'agreed' });
  await msg.done();
  const newAt = asked.extension.newExpiresAt;
  const deadline = Date.now() + 45_000;
  let view = await cast.partner.api().get(active.id);
  while (view.request.expiresAt !== newAt && Date.now() < deadline) {
    await sleep(250);
    view = await cast.partner.api().get(active.id);
  }
  check(view.request.expiresAt === newAt, `the ledger's expiry is ${view.request.expiresAt ?? '?'}, not ${newAt}`);
  const guard = await cast.ownerRam.getPolicyDocument(active.grant?.guardPolicyName ?? '');
  const at = newAt.replace(/\.\d{3}Z$/, 'Z');
  check(guard !== undefined && guard.versionId !== 'v1' && guard.document.includes(at), `the guard's default version does not deny after ${at}`);
  const tagged = (await cast.ownerRam.getRole(active.roleName))?.tags['crossrole:expires-at'];
  check(tagged !== undefined && Date.parse(tagged) === Date.parse(newAt), `the role's expiry tag says ${tagged ?? 'nothing'}`);
  n.ok(`Alice approved (crossrole extension approve). RAM GetPolicy: ${active.grant?.guardPolicyName} default version ${guard.versionId} denies after ${at};`);
  n.say(`the role's crossrole:expires-at tag and the ledger say ${newAt}. The guard moved first, so RAM never ends the grant earlier than`);
  n.say('the ledger reports, and only after the approval was recorded, so RAM never allows what the ledger has not approved.');
}

/** A free role name: an earlier demo run leaves its first role in place (revoked through its trust policy). */
async function freeRoleName(ram: RamAdapter): Promise<string> {
  for (let i = 1; i < 100; i++) {
    const asked = i === 1 ? ROLE_NAME_ASKED : `${ROLE_NAME_ASKED}-${i}`;
    if ((await ram.getRole(`crossrole-${asked.toLowerCase()}`)) === undefined) return asked;
  }
  throw new DemoFailure('no free role name: remove old demo roles or use a fresh --data-dir');
}

async function play(cast: Cast, n: Narrator, o: DemoOptions, shortSeconds: number): Promise<void> {
  const c = cast.contract;
  const A = c.ownerAccountId;
  const B = c.partnerAccountId;

  n.step('The cast');
  n.say(`Company A (account ${A}) owns the ECS instances. Its approver Alice (${c.principals.approver.arn}) may only read the`);
  n.say('approvals queue; she decides through the approval API, proving who she is with a signed STS GetCallerIdentity.');
  n.say(`Company B (account ${B}) is the partner: its admin (${c.principals['partner-admin'].arn}) asks for access,`);
  n.say(`and Bob (${c.principals.bob.arn}) has no permissions at all yet.`);

  n.step('B asks for read-only access to A\'s ECS (tutorial step 1, as a request)');
  const asked = await freeRoleName(cast.ownerRam);
  if (asked !== ROLE_NAME_ASKED) n.say(`(An earlier demo left crossrole-${ROLE_NAME_ASKED.toLowerCase()} in place, revoked through its trust policy: this run asks for ${asked}.)`);
  const first = await cast.partner.api().submit({ profile: 'ecs-readonly', duration: '8h', reason: 'Quarterly audit of the ECS fleet', roleName: asked });
  check(first.status === 'PENDING', `expected PENDING, got ${first.status}`);
  check(first.roleName === `crossrole-${asked.toLowerCase()}`, `expected role name crossrole-${asked.toLowerCase()}, got ${first.roleName}`);
  n.ok(`Request ${first.id} is PENDING: profile ecs-readonly (System policy AliyunECSReadOnlyAccess) for 8h.`);
  n.say(`The role name asked for, ${asked}, becomes ${first.roleName}: every role Crossrole manages is prefixed`);
  n.say('"crossrole-" (the functions\' own role may only touch such names) and lower-cased (RAM names are case-insensitive).');

  n.step('A\'s approver decides');
  // The notifier told the approvers' DingTalk group (the local stand-in verified the robot's signature).
  const pinged = await approverNotified(c.endpoint, first.id);
  check(pinged !== undefined, `no verified DingTalk notification for ${first.id} reached the local receiver approvers-dingtalk`);
  n.ok(`DingTalk (approvers' group robot, signature verified): "${pinged}".`);
  const msg = await approverFindsMessage(cast, first.id);
  check(msg.found, `no approval message for ${first.id} on crossrole-approvals`);
  const view = await cast.approver.api().get(first.id, 'approval');
  n.ok('Alice\'s inbox (MNS queue crossrole-approvals) holds a message carrying only the request id; she reads the');
  n.say(`request from the approval API: ${view.request.requesterArn} asks for ${view.request.profile} for ${formatDuration(view.request.durationSeconds)}, "${view.request.reason}".`);
  const approved = await cast.approver.api().approve(first.id, { reason: 'audit agreed with B' });
  await msg.done();
  check(approved.status === 'APPROVED', `expected APPROVED, got ${approved.status}`);
  n.ok('She approves; the message is deleted. The provisioning function picks the request up from crossrole-provision.');
  const active = await waitForStatus(cast.partner, first.id, { timeoutSeconds: 45 });
  check(active.status === 'ACTIVE' && active.grant !== undefined, `expected ACTIVE, got ${active.status}${active.lastError ? ` (${active.lastError})` : ''}`);
  const grant = active.grant;
  n.ok(`ACTIVE: ${grant.roleArn}, expires ${active.expiresAt ?? '?'}.`);

  n.step('The role in account A (RAM GetRole as A\'s admin)');
  const role = await cast.ownerRam.getRole(active.roleName);
  check(role !== undefined, `role ${active.roleName} does not exist in account ${A}`);
  const policies = await cast.ownerRam.listPoliciesForRole(active.roleName);
  n.say(`${role.arn}, MaxSessionDuration ${role.maxSessionDuration}s. Trust policy:`);
  n.block(prettyJson(role.trustPolicy));
  check(role.trustPolicy.includes(`acs:ram::${B}:root`), 'the trust policy does not name B\'s account');
  check(role.trustPolicy.includes(grant.externalId), 'the trust policy does not require the grant\'s ExternalId');
  n.ok(`It trusts account ${B} only with ExternalId ${grant.externalId} (a confused-deputy guard).`);
  n.say(`Attached: ${policies.map((p) => `${p.type} ${p.name}`).join(', ')}.`);
  check(policies.some((p) => p.type === 'System' && p.name === 'AliyunECSReadOnlyAccess'), 'AliyunECSReadOnlyAccess is not attached');
  check(policies.some((p) => p.type === 'Custom' && p.name === grant.guardPolicyName), 'the expiry guard policy is not attached');
  n.ok(`${grant.guardPolicyName} denies everything after the expiry, even if every timer and queue failed.`);

  n.step('B\'s admin lets Bob assume the role (tutorial step 2)');
  const before = await bobAssume(cast, grant.roleArn, grant.externalId, 'bob');
  check(!before.ok, 'Bob could assume the role before his admin allowed it');
  n.ok(`Before: Bob's AssumeRole is refused (${before.code}): he has no sts:AssumeRole permission.`);
  const bobPolicies = [await grantBob(cast, active, n, true)];

  n.step('Bob assumes the role and lists A\'s ECS instances (tutorial step 3)');
  const noExt = await bobAssume(cast, grant.roleArn, undefined, 'bob');
  check(!noExt.ok, 'AssumeRole without the ExternalId succeeded');
  n.ok(`Without the ExternalId: refused (${noExt.code}).`);
  const session = await bobAssume(cast, grant.roleArn, grant.externalId, 'bob');
  check(session.ok && session.value !== undefined, `Bob's AssumeRole failed: ${session.code ?? ''} ${session.message ?? ''}`);
  const token = session.value;
  n.ok(`With it, handed over by his admin (crossrole assume ${grant.roleArn} --external-id … --as bob): temporary credentials ${token.accessKeyId.slice(0, 10)}... until ${token.expiration.toISOString()}.`);
  const listed = await bobLists(cast, token);
  check(listed.ok && (listed.value?.length ?? 0) > 0, `ECS DescribeInstances as Bob failed: ${listed.code ?? ''} ${listed.message ?? ''}`);
  n.ok(`ECS DescribeInstances in ${c.region} with them: ${listed.value?.join(', ')}.`);

  await extendStep(cast, n, active);

  n.step('A revokes through the trust policy (the tutorial\'s recommended way)');
  await cast.approver.api().revoke(first.id, 'trust', 'audit finished');
  const revoked = await waitForStatus(cast.partner, first.id, { timeoutSeconds: 45, until: ['REVOKED', 'FAILED'] });
  check(revoked.status === 'REVOKED', `expected REVOKED, got ${revoked.status}${revoked.lastError ? ` (${revoked.lastError})` : ''}`);
  const after = await cast.ownerRam.getRole(active.roleName);
  check(after !== undefined && !after.trustPolicy.includes(`acs:ram::${B}:`), 'the trust policy still names account B');
  n.ok('REVOKED. The trust policy no longer names B:');
  n.block(prettyJson(after.trustPolicy));
  const again = await bobAssume(cast, grant.roleArn, grant.externalId, 'bob-again');
  check(!again.ok, 'Bob could still assume the role');
  n.ok(`Bob's new AssumeRole: refused (${again.code}).`);
  const stale = await bobLists(cast, token);
  check(!stale.ok, 'Bob\'s earlier token can still list A\'s instances');
  n.ok(`Bob's earlier token: refused too (${stale.code}), because the permission policies were detached as well;`);
  n.say('a trust-policy edit alone only blocks new sessions. The role itself stays, so this is reversible.');

  n.step('A new grant, revoked by deleting the role (permanent)');
  const second = await requestAndApprove(cast, n, { profile: 'ecs-readonly', duration: '1h', reason: 'Follow-up check' });
  n.say(`No role name asked for this time, so the role is named after the request: ${second.roleName}.`);
  await cast.approver.api().revoke(second.id, 'delete', 'follow-up done');
  const deleted = await waitForStatus(cast.partner, second.id, { timeoutSeconds: 45, until: ['REVOKED', 'FAILED'] });
  check(deleted.status === 'REVOKED', `expected REVOKED, got ${deleted.status}${deleted.lastError ? ` (${deleted.lastError})` : ''}`);
  const gone = await cast.ownerRam.getRole(second.roleName);
  check(gone === undefined, `role ${second.roleName} still exists`);
  n.ok(`crossrole revoke ${second.id} --delete: REVOKED, and RAM GetRole ${second.roleName} answers EntityNotExist.Role.`);

  n.step(`A short grant expires on its own (${formatDuration(shortSeconds)}, profile ecs-readonly-auto)`);
  n.say('This profile is approved automatically. Grants are not shortened for the demo: the duration is just short.');
  const third = await requestAndApprove(cast, n, { profile: 'ecs-readonly-auto', duration: o.shortDuration, reason: 'Quick look' });
  check(third.grant !== undefined && third.expiresAt !== undefined, `request ${third.id} has no grant or expiry`);
  bobPolicies.push(await grantBob(cast, third, n, false));
  const short = await bobAssume(cast, third.grant.roleArn, third.grant.externalId, 'bob-short');
  check(short.ok && short.value !== undefined, `Bob's AssumeRole failed: ${short.code ?? ''} ${short.message ?? ''}`);
  const shortToken = short.value;
  const expiresAtMs = Date.parse(third.expiresAt);
  const early = await bobLists(cast, shortToken);
  check(Date.now() >= expiresAtMs || early.ok, `Bob could not list instances before the expiry: ${early.code ?? ''}`);
  if (early.ok) n.ok(`Before ${third.expiresAt}: Bob lists A's instances (${early.value?.length ?? 0} found). His STS session lasts an hour, the grant does not.`);
  const p = cast.partner.ui.progress(`Waiting for the expiry at ${third.expiresAt}`);
  while (Date.now() < expiresAtMs + 1000) {
    p.update(`Expiry in ${Math.max(0, Math.ceil((expiresAtMs - Date.now()) / 1000))}s`);
    await sleep(Math.min(1000, Math.max(50, expiresAtMs + 1000 - Date.now())));
  }
  p.stop(`${third.expiresAt} has passed`);
  const deniedAt = Date.now();
  const denied = await bobLists(cast, shortToken);
  check(!denied.ok, 'Bob\'s session still lists instances after the expiry');
  // Which control refused him: the guard alone, or already the revocation too? Ask the audit trail.
  const startedRevoke = (await cast.partner.api().get(third.id)).history.find((e) => e.action === 'START_REVOKE');
  if (startedRevoke === undefined || Date.parse(startedRevoke.at) > deniedAt) {
    n.ok(`Right after the expiry, the same session is refused (${denied.code}) while the grant is still ACTIVE in the ledger:`);
    n.say('the guard policy\'s acs:CurrentTime condition, evaluated by RAM on every call, before any Crossrole function has run.');
  } else {
    n.ok(`Right after the expiry, the same session is refused (${denied.code}). The revocation had already started at ${startedRevoke.at},`);
    n.say('so its detached permissions and the guard policy (Deny after the expiry, evaluated by RAM on every call) both refuse it.');
  }
  let ended = await waitForStatus(cast.partner, third.id, { timeoutSeconds: 8, until: ['REVOKED', 'FAILED'] }).catch((e: unknown) => {
    if (e instanceof CliError && e.code === 'TIMEOUT') return undefined;
    throw e;
  });
  if (ended !== undefined) {
    n.ok('The delayed "expire" message sent at provisioning arrived on crossrole-revoke and the revocation function ended the grant.');
  } else {
    // The stack runs without timers: fire the expiry scan once, as its @every 1m schedule would.
    n.say('The revocation has not run yet; firing the expiry timer once (the @every 1m scan), as its schedule would:');
    const res = await fetch(`http://${c.endpoint}/_local/fc/timers/crossrole-expiry/fire`, { method: 'POST' });
    check(res.ok, `firing the expiry timer failed: HTTP ${res.status}`);
    ended = await waitForStatus(cast.partner, third.id, { timeoutSeconds: 30, until: ['REVOKED', 'FAILED'] });
  }
  check(ended.status === 'REVOKED', `expected REVOKED, got ${ended.status}${ended.lastError ? ` (${ended.lastError})` : ''}`);
  const expiredBy = (await cast.partner.api().get(third.id)).history.find((e) => e.action === 'START_REVOKE')?.actor;
  check(expiredBy === 'system:expiry', `the grant was revoked by ${expiredBy ?? 'nobody'}, not by the expiry`);
  const expiredRole = await cast.ownerRam.getRole(third.roleName);
  check(expiredRole === undefined || !expiredRole.trustPolicy.includes(`acs:ram::${B}:`), 'the expired role still trusts B');
  const afterExpiry = await bobAssume(cast, third.grant.roleArn, third.grant.externalId, 'bob-late');
  check(!afterExpiry.ok, 'Bob could assume the expired role');
  n.ok(`REVOKED by ${expiredBy}; Bob's AssumeRole is refused (${afterExpiry.code}).`);

  n.step('Clean-up in account B');
  for (const name of bobPolicies) await cast.partnerAdmin.removeFromUser(name, 'bob');
  n.ok(`B's admin detached and deleted ${bobPolicies.join(', ')} (so the demo can run again).`);
}

export async function demoCommand(session: Session, o: DemoOptions): Promise<number> {
  const { ui } = session;
  let shortSeconds: number;
  try {
    shortSeconds = parseDuration(o.shortDuration, 'short-duration');
  } catch (e) {
    throw new UsageError(`--short-duration ${o.shortDuration}: ${errorMessage(e)}`);
  }
  if (shortSeconds < 5 || shortSeconds > 3600) throw new UsageError('--short-duration must be between 5s and 1h');
  const n = narrator(ui);
  const started = Date.now();
  (ui.json ? ui.info : ui.out)(ui.c.bold('Crossrole demo: the cross-account RAM role tutorial, automated'));
  const stack = await findOrStartStack(session, (t) => n.say(t));
  try {
    const as = (name: string): Session => createSession(session.env, ui, { as: name, dataDir: stack.dataDir });
    const owner = as('owner-admin');
    const ownerCreds = (await owner.credentials()).credentials;
    const partnerCreds = (await as('partner-admin').credentials()).credentials;
    const eps = owner.endpoints();
    const cast: Cast = {
      partner: as('partner-admin'),
      approver: as('approver'),
      bob: as('bob'),
      ownerRam: createRamAdapter({ endpoint: eps.ram.host, protocol: eps.ram.protocol, credentials: ownerCreds, logger: owner.logger }),
      partnerAdmin: partnerAdmin(eps.ram, partnerCreds),
      contract: stack.contract,
    };
    // A previous run that failed half-way may have left Bob's demo policies behind.
    for (const old of await cast.partnerAdmin.userPolicies('bob', DEMO_POLICY_PREFIX)) await cast.partnerAdmin.removeFromUser(old, 'bob');
    await play(cast, n, o, shortSeconds);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    (ui.json ? ui.info : ui.out)('');
    (ui.json ? ui.info : ui.out)(ui.c.green(`All ${n.steps().length} steps behaved as narrated (${secs}s).`));
    if (ui.json) ui.printJson({ ok: true, steps: n.steps(), seconds: Number(secs) });
    return ExitCode.OK;
  } finally {
    await stack.stop?.();
  }
}
