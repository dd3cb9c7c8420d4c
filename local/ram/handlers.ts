/**
 * RAM (2015-05-01) actions: one handler per API action, named after it. Each parses its
 * parameters, authorizes the caller (`ctx.authorize()`: the resources of ./authorization.ts),
 * calls the RAM store and returns the response body in the SDK's wire shape (lists are always
 * arrays).
 */
import { missingParameter } from '../core/errors';
import type { FaultInjector } from '../core/faults';
import { boolParam, intParam, stringListParam, tagListParam } from '../core/params';
import type { RpcContext, RpcHandler } from '../core/rpc';
import { RamErrors } from './errors';
import type { AttachedPolicyView, CustomPolicyRecord, PolicyVersionView, RoleRecord, Tag, UserRecord } from './models';
import type { RamStore } from './store';

type Body = Record<string, unknown>;

function roleView(r: RoleRecord, withDocument = true): Body {
  return {
    RoleId: r.roleId,
    RoleName: r.roleName,
    Arn: r.arn,
    Description: r.description,
    ...(withDocument ? { AssumeRolePolicyDocument: r.assumeRolePolicyDocument } : {}),
    MaxSessionDuration: r.maxSessionDuration,
    CreateDate: r.createDate,
    UpdateDate: r.updateDate,
    RolePrincipalName: `${r.roleName}@role.${r.arn.split(':')[3] ?? ''}.onaliyunservice.com`,
  };
}

function userView(u: UserRecord): Body {
  return {
    UserId: u.userId,
    UserName: u.userName,
    DisplayName: u.displayName,
    Comments: u.comments,
    Email: u.email,
    MobilePhone: u.mobilePhone,
    CreateDate: u.createDate,
    UpdateDate: u.updateDate,
  };
}

const tagsView = (tags: Tag[]): Body => ({ Tag: tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) });

const attachedView = (p: AttachedPolicyView): Body => ({
  PolicyName: p.policyName,
  PolicyType: p.policyType,
  Description: p.description,
  DefaultVersion: p.defaultVersion,
  AttachDate: p.attachDate,
});

const versionView = (v: PolicyVersionView): Body => ({
  VersionId: v.versionId,
  IsDefaultVersion: v.isDefaultVersion,
  PolicyDocument: v.policyDocument,
  CreateDate: v.createDate,
});

function customPolicyView(p: CustomPolicyRecord): Body {
  return { PolicyName: p.policyName, PolicyType: 'Custom', Description: p.description, DefaultVersion: p.defaultVersion, CreateDate: p.createDate };
}

/** The tags of a create call, rejecting entries without a value. */
function creationTags(ctx: RpcContext): Tag[] {
  return (tagListParam(ctx, 'Tag') ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }));
}

function requiredList(ctx: RpcContext, name: string): string[] {
  const v = stringListParam(ctx, name);
  if (v === undefined || v.length === 0) throw missingParameter(name);
  return v;
}

interface RamHandlerDeps {
  ram: RamStore;
  /** For the eventual-consistency fault of DeleteRole after the last detach. */
  faults?: FaultInjector;
}

export function ramHandlers({ ram, faults }: RamHandlerDeps): Record<string, RpcHandler> {
  const acct = (ctx: RpcContext): string => ctx.principal.accountId;
  const roleKey = (ctx: RpcContext, roleName: string): string => `${acct(ctx)}:${roleName.toLowerCase()}`;
  /** With the fault `policyPropagationMs`: the role's documents before a change of its attachments. */
  const attachmentsBefore = (ctx: RpcContext, roleName: string): { roleId: string; documents: string[] } | undefined => {
    const role = faults?.delaysPropagation === true ? ram.findRole(acct(ctx), roleName) : undefined;
    return role === undefined ? undefined : { roleId: role.roleId, documents: ram.rolePolicyDocuments(role, acct(ctx)) };
  };

  // ------------------------------------------------------------ roles
  const CreateRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    const doc = ctx.required('AssumeRolePolicyDocument');
    ctx.authorize();
    const description = ctx.param('Description');
    const maxSessionDuration = intParam(ctx, 'MaxSessionDuration');
    const role = ram.createRole(acct(ctx), {
      roleName,
      assumeRolePolicyDocument: doc,
      ...(description === undefined ? {} : { description }),
      ...(maxSessionDuration === undefined ? {} : { maxSessionDuration }),
      tags: creationTags(ctx),
    });
    return { Role: roleView(role) };
  };

  const GetRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    ctx.authorize();
    return { Role: roleView(ram.getRole(acct(ctx), roleName)) };
  };

  const UpdateRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    ctx.authorize();
    const doc = ctx.param('NewAssumeRolePolicyDocument');
    const max = intParam(ctx, 'NewMaxSessionDuration');
    const description = ctx.param('NewDescription');
    const role = ram.updateRole(acct(ctx), roleName, {
      ...(doc === undefined ? {} : { newAssumeRolePolicyDocument: doc }),
      ...(max === undefined ? {} : { newMaxSessionDuration: max }),
      ...(description === undefined ? {} : { newDescription: description }),
    });
    return { Role: roleView(role) };
  };

  const DeleteRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    ctx.authorize();
    const role = ram.getRole(acct(ctx), roleName);
    if (faults?.inDeleteConflictWindow(roleKey(ctx, role.roleName), ctx.request.receivedAt.getTime())) throw RamErrors.deleteRoleWithPolicies();
    ram.deleteRole(acct(ctx), roleName);
    faults?.forgetDetach(roleKey(ctx, role.roleName));
    return {};
  };

  const ListRoles: RpcHandler = (ctx) => {
    ctx.authorize();
    const marker = ctx.param('Marker');
    const maxItems = intParam(ctx, 'MaxItems');
    const tags = tagListParam(ctx, 'Tag');
    const page = ram.listRoles(acct(ctx), {
      ...(marker === undefined ? {} : { marker }),
      ...(maxItems === undefined ? {} : { maxItems }),
      ...(tags === undefined ? {} : { tags }),
    });
    return {
      IsTruncated: page.isTruncated,
      ...(page.marker === undefined ? {} : { Marker: page.marker }),
      Roles: { Role: page.roles.map((r) => ({ ...roleView(r, false), Tags: tagsView(r.tags) })) },
    };
  };

  const AttachPolicyToRole: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const roleName = ctx.required('RoleName');
    ctx.authorize();
    const before = attachmentsBefore(ctx, roleName);
    ram.attachPolicyToRole(acct(ctx), policyType, policyName, roleName);
    if (before) faults?.noteAttachmentChange(before.roleId, before.documents, ctx.request.receivedAt.getTime());
    return {};
  };

  const DetachPolicyFromRole: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const roleName = ctx.required('RoleName');
    ctx.authorize();
    const before = attachmentsBefore(ctx, roleName);
    const left = ram.detachPolicyFromRole(acct(ctx), policyType, policyName, roleName);
    if (before) faults?.noteAttachmentChange(before.roleId, before.documents, ctx.request.receivedAt.getTime());
    if (left === 0) faults?.noteLastDetach(roleKey(ctx, roleName), ctx.request.receivedAt.getTime());
    return {};
  };

  const ListPoliciesForRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    ctx.authorize();
    return { Policies: { Policy: ram.listPoliciesForRole(acct(ctx), roleName).map(attachedView) } };
  };

  // ------------------------------------------------------------ policies
  const CreatePolicy: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    const doc = ctx.required('PolicyDocument');
    ctx.authorize();
    const description = ctx.param('Description');
    const p = ram.createPolicy(acct(ctx), { policyName, policyDocument: doc, ...(description === undefined ? {} : { description }), tags: creationTags(ctx) });
    return { Policy: customPolicyView(p) };
  };

  const GetPolicy: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    const policyType = ctx.required('PolicyType');
    ctx.authorize();
    const { policy, defaultVersion } = ram.getPolicy(acct(ctx), policyType, policyName);
    return {
      Policy: {
        PolicyName: policy.policyName,
        PolicyType: policy.policyType,
        Description: policy.description,
        DefaultVersion: policy.defaultVersion,
        CreateDate: policy.createDate,
        UpdateDate: policy.updateDate,
        AttachmentCount: policy.attachmentCount,
        PolicyDocument: policy.policyDocument,
      },
      DefaultPolicyVersion: versionView(defaultVersion),
    };
  };

  const DeletePolicy: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    ctx.authorize();
    ram.deletePolicy(acct(ctx), policyName, boolParam(ctx, 'CascadingDelete') ?? false);
    return {};
  };

  const CreatePolicyVersion: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    const doc = ctx.required('PolicyDocument');
    ctx.authorize();
    const v = ram.createPolicyVersion(acct(ctx), policyName, doc, boolParam(ctx, 'SetAsDefault') ?? false, ctx.param('RotateStrategy') ?? 'None');
    return { PolicyVersion: versionView(v) };
  };

  const DeletePolicyVersion: RpcHandler = (ctx) => {
    const [policyName, versionId] = [ctx.required('PolicyName'), ctx.required('VersionId')];
    ctx.authorize();
    ram.deletePolicyVersion(acct(ctx), policyName, versionId);
    return {};
  };

  const ListPolicyVersions: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    const policyType = ctx.required('PolicyType');
    ctx.authorize();
    return { PolicyVersions: { PolicyVersion: ram.listPolicyVersions(acct(ctx), policyType, policyName).map(versionView) } };
  };

  // ------------------------------------------------------------ tags
  const TagResources: RpcHandler = (ctx) => {
    const type = ctx.required('ResourceType');
    const names = requiredList(ctx, 'ResourceNames');
    const tags = tagListParam(ctx, 'Tag');
    if (tags === undefined || tags.length === 0) throw missingParameter('Tag');
    ctx.authorize();
    ram.tagResources(acct(ctx), type, names, tags.map((t) => ({ key: t.key, value: t.value ?? '' })));
    return {};
  };

  const UntagResources: RpcHandler = (ctx) => {
    const type = ctx.required('ResourceType');
    const names = requiredList(ctx, 'ResourceNames');
    const all = boolParam(ctx, 'All') ?? false;
    const keys = stringListParam(ctx, 'TagKeys') ?? [];
    if (!all && keys.length === 0) throw missingParameter('TagKeys');
    ctx.authorize();
    ram.untagResources(acct(ctx), type, names, keys, all);
    return {};
  };

  const ListTagResources: RpcHandler = (ctx) => {
    const type = ctx.required('ResourceType');
    const names = stringListParam(ctx, 'ResourceNames');
    ctx.authorize();
    const tags = tagListParam(ctx, 'Tag');
    const nextToken = ctx.param('NextToken');
    const pageSize = intParam(ctx, 'PageSize');
    const page = ram.listTagResources(acct(ctx), type, {
      ...(names === undefined ? {} : { resourceNames: names }),
      ...(tags === undefined ? {} : { tags }),
      ...(nextToken === undefined ? {} : { nextToken }),
      ...(pageSize === undefined ? {} : { pageSize }),
    });
    return {
      NextToken: page.nextToken,
      TagResources: page.tagResources.map((t) => ({ ResourceName: t.resourceName, ResourceType: t.resourceType, TagKey: t.tagKey, TagValue: t.tagValue })),
    };
  };

  // ------------------------------------------------------------ users, keys, groups
  const CreateUser: RpcHandler = (ctx) => {
    const userName = ctx.required('UserName');
    ctx.authorize();
    const opt = (k: string): string | undefined => ctx.param(k);
    const u = ram.createUser(acct(ctx), {
      userName,
      ...(opt('DisplayName') === undefined ? {} : { displayName: opt('DisplayName') ?? '' }),
      ...(opt('Comments') === undefined ? {} : { comments: opt('Comments') ?? '' }),
      ...(opt('Email') === undefined ? {} : { email: opt('Email') ?? '' }),
      ...(opt('MobilePhone') === undefined ? {} : { mobilePhone: opt('MobilePhone') ?? '' }),
    });
    const { UpdateDate: _updateDate, ...created } = userView(u);
    return { User: created };
  };

  const GetUser: RpcHandler = (ctx) => {
    const userName = ctx.required('UserName');
    ctx.authorize();
    return { User: userView(ram.getUser(acct(ctx), userName)) };
  };

  const CreateAccessKey: RpcHandler = (ctx) => {
    // Without UserName the key is created for the caller itself (a RAM user, or the root).
    const userName = ctx.param('UserName') ?? (ctx.principal.kind === 'user' ? ctx.principal.name : undefined);
    if (userName === undefined && ctx.principal.kind !== 'root') throw missingParameter('UserName');
    ctx.authorize();
    const k = ram.createAccessKey(acct(ctx), userName);
    return { AccessKey: { AccessKeyId: k.accessKeyId, AccessKeySecret: k.accessKeySecret, Status: k.status, CreateDate: k.createDate } };
  };

  const AttachPolicyToUser: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const userName = ctx.required('UserName');
    ctx.authorize();
    ram.attachPolicyToUser(acct(ctx), policyType, policyName, userName);
    return {};
  };

  const DetachPolicyFromUser: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const userName = ctx.required('UserName');
    ctx.authorize();
    ram.detachPolicyFromUser(acct(ctx), policyType, policyName, userName);
    return {};
  };

  const ListPoliciesForUser: RpcHandler = (ctx) => {
    const userName = ctx.required('UserName');
    ctx.authorize();
    return { Policies: { Policy: ram.listPoliciesForUser(acct(ctx), userName).map(attachedView) } };
  };

  const CreateGroup: RpcHandler = (ctx) => {
    const groupName = ctx.required('GroupName');
    ctx.authorize();
    const g = ram.createGroup(acct(ctx), groupName, ctx.param('Comments') ?? '');
    return { Group: { GroupId: g.groupId, GroupName: g.groupName, Comments: g.comments, CreateDate: g.createDate } };
  };

  const AddUserToGroup: RpcHandler = (ctx) => {
    const groupName = ctx.required('GroupName');
    const userName = ctx.required('UserName');
    ctx.authorize();
    ram.addUserToGroup(acct(ctx), groupName, userName);
    return {};
  };

  const ListGroupsForUser: RpcHandler = (ctx) => {
    const userName = ctx.required('UserName');
    ctx.authorize();
    return {
      Groups: { Group: ram.listGroupsForUser(acct(ctx), userName).map(({ group, joinDate }) => ({ GroupId: group.groupId, GroupName: group.groupName, Comments: group.comments, JoinDate: joinDate })) },
    };
  };

  const AttachPolicyToGroup: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const groupName = ctx.required('GroupName');
    ctx.authorize();
    ram.attachPolicyToGroup(acct(ctx), policyType, policyName, groupName);
    return {};
  };

  return {
    CreateRole,
    GetRole,
    UpdateRole,
    DeleteRole,
    ListRoles,
    AttachPolicyToRole,
    DetachPolicyFromRole,
    ListPoliciesForRole,
    CreatePolicy,
    GetPolicy,
    DeletePolicy,
    CreatePolicyVersion,
    DeletePolicyVersion,
    ListPolicyVersions,
    TagResources,
    UntagResources,
    ListTagResources,
    CreateUser,
    GetUser,
    CreateAccessKey,
    AttachPolicyToUser,
    DetachPolicyFromUser,
    ListPoliciesForUser,
    CreateGroup,
    AddUserToGroup,
    ListGroupsForUser,
    AttachPolicyToGroup,
  };
}
