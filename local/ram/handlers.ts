/**
 * RAM (2015-05-01) actions: one handler per API action, named after it. Each parses its
 * parameters, authorizes the caller on the resource ARN RAM checks, calls the identity state
 * and returns the response body in the SDK's wire shape (lists are always arrays).
 */
import { missingParameter } from '../core/errors';
import { boolParam, intParam, stringListParam, tagListParam } from '../core/params';
import type { RpcContext, RpcHandler } from '../core/rpc';
import { RamResource, type AttachedPolicyView, type LocalIam, type PolicyVersionView } from '../iam/local-iam';
import type { CustomPolicyRecord, RoleRecord, Tag, UserRecord } from '../iam/models';

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

export function ramHandlers(iam: LocalIam): Record<string, RpcHandler> {
  const acct = (ctx: RpcContext): string => ctx.principal.accountId;

  // ------------------------------------------------------------ roles
  const CreateRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    const doc = ctx.required('AssumeRolePolicyDocument');
    ctx.authorize('ram:CreateRole', RamResource.role(acct(ctx), roleName));
    const description = ctx.param('Description');
    const maxSessionDuration = intParam(ctx, 'MaxSessionDuration');
    const role = iam.createRole(acct(ctx), {
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
    ctx.authorize('ram:GetRole', RamResource.role(acct(ctx), roleName));
    return { Role: roleView(iam.getRole(acct(ctx), roleName)) };
  };

  const UpdateRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    ctx.authorize('ram:UpdateRole', RamResource.role(acct(ctx), roleName));
    const doc = ctx.param('NewAssumeRolePolicyDocument');
    const max = intParam(ctx, 'NewMaxSessionDuration');
    const description = ctx.param('NewDescription');
    const role = iam.updateRole(acct(ctx), roleName, {
      ...(doc === undefined ? {} : { newAssumeRolePolicyDocument: doc }),
      ...(max === undefined ? {} : { newMaxSessionDuration: max }),
      ...(description === undefined ? {} : { newDescription: description }),
    });
    return { Role: roleView(role) };
  };

  const DeleteRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    ctx.authorize('ram:DeleteRole', RamResource.role(acct(ctx), roleName));
    iam.deleteRole(acct(ctx), roleName);
    return {};
  };

  const ListRoles: RpcHandler = (ctx) => {
    ctx.authorize('ram:ListRoles', RamResource.role(acct(ctx), '*'));
    const marker = ctx.param('Marker');
    const maxItems = intParam(ctx, 'MaxItems');
    const tags = tagListParam(ctx, 'Tag');
    const page = iam.listRoles(acct(ctx), {
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
    ctx.authorize('ram:AttachPolicyToRole', RamResource.role(acct(ctx), roleName));
    iam.attachPolicyToRole(acct(ctx), policyType, policyName, roleName);
    return {};
  };

  const DetachPolicyFromRole: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const roleName = ctx.required('RoleName');
    ctx.authorize('ram:DetachPolicyFromRole', RamResource.role(acct(ctx), roleName));
    iam.detachPolicyFromRole(acct(ctx), policyType, policyName, roleName);
    return {};
  };

  const ListPoliciesForRole: RpcHandler = (ctx) => {
    const roleName = ctx.required('RoleName');
    ctx.authorize('ram:ListPoliciesForRole', RamResource.role(acct(ctx), roleName));
    return { Policies: { Policy: iam.listPoliciesForRole(acct(ctx), roleName).map(attachedView) } };
  };

  // ------------------------------------------------------------ policies
  const CreatePolicy: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    const doc = ctx.required('PolicyDocument');
    ctx.authorize('ram:CreatePolicy', RamResource.policy(acct(ctx), policyName));
    const description = ctx.param('Description');
    const p = iam.createPolicy(acct(ctx), { policyName, policyDocument: doc, ...(description === undefined ? {} : { description }), tags: creationTags(ctx) });
    return { Policy: customPolicyView(p) };
  };

  const GetPolicy: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    const policyType = ctx.required('PolicyType');
    ctx.authorize('ram:GetPolicy', RamResource.policy(acct(ctx), policyName));
    const { policy, defaultVersion } = iam.getPolicy(acct(ctx), policyType, policyName);
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
    ctx.authorize('ram:DeletePolicy', RamResource.policy(acct(ctx), policyName));
    iam.deletePolicy(acct(ctx), policyName, boolParam(ctx, 'CascadingDelete') ?? false);
    return {};
  };

  const CreatePolicyVersion: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    const doc = ctx.required('PolicyDocument');
    ctx.authorize('ram:CreatePolicyVersion', RamResource.policy(acct(ctx), policyName));
    const v = iam.createPolicyVersion(acct(ctx), policyName, doc, boolParam(ctx, 'SetAsDefault') ?? false, ctx.param('RotateStrategy') ?? 'None');
    return { PolicyVersion: versionView(v) };
  };

  const ListPolicyVersions: RpcHandler = (ctx) => {
    const policyName = ctx.required('PolicyName');
    const policyType = ctx.required('PolicyType');
    ctx.authorize('ram:ListPolicyVersions', RamResource.policy(acct(ctx), policyName));
    return { PolicyVersions: { PolicyVersion: iam.listPolicyVersions(acct(ctx), policyType, policyName).map(versionView) } };
  };

  // ------------------------------------------------------------ tags
  const resourceArn = (ctx: RpcContext, type: string, name: string): string =>
    type === 'policy' ? RamResource.policy(acct(ctx), name) : RamResource.role(acct(ctx), name);

  const TagResources: RpcHandler = (ctx) => {
    const type = ctx.required('ResourceType');
    const names = requiredList(ctx, 'ResourceNames');
    const tags = tagListParam(ctx, 'Tag');
    if (tags === undefined || tags.length === 0) throw missingParameter('Tag');
    for (const n of names) ctx.authorize('ram:TagResources', resourceArn(ctx, type, n));
    iam.tagResources(acct(ctx), type, names, tags.map((t) => ({ key: t.key, value: t.value ?? '' })));
    return {};
  };

  const UntagResources: RpcHandler = (ctx) => {
    const type = ctx.required('ResourceType');
    const names = requiredList(ctx, 'ResourceNames');
    const all = boolParam(ctx, 'All') ?? false;
    const keys = stringListParam(ctx, 'TagKeys') ?? [];
    if (!all && keys.length === 0) throw missingParameter('TagKeys');
    for (const n of names) ctx.authorize('ram:UntagResources', resourceArn(ctx, type, n));
    iam.untagResources(acct(ctx), type, names, keys, all);
    return {};
  };

  const ListTagResources: RpcHandler = (ctx) => {
    const type = ctx.required('ResourceType');
    const names = stringListParam(ctx, 'ResourceNames');
    ctx.authorize('ram:ListTagResources', resourceArn(ctx, type, '*'));
    const tags = tagListParam(ctx, 'Tag');
    const nextToken = ctx.param('NextToken');
    const pageSize = intParam(ctx, 'PageSize');
    const page = iam.listTagResources(acct(ctx), type, {
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
    ctx.authorize('ram:CreateUser', RamResource.user(acct(ctx), userName));
    const opt = (k: string): string | undefined => ctx.param(k);
    const u = iam.createUser(acct(ctx), {
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
    ctx.authorize('ram:GetUser', RamResource.user(acct(ctx), userName));
    return { User: userView(iam.getUser(acct(ctx), userName)) };
  };

  const CreateAccessKey: RpcHandler = (ctx) => {
    // Without UserName the key is created for the caller itself (a RAM user, or the root).
    const userName = ctx.param('UserName') ?? (ctx.principal.kind === 'user' ? ctx.principal.name : undefined);
    if (userName === undefined && ctx.principal.kind !== 'root') throw missingParameter('UserName');
    ctx.authorize('ram:CreateAccessKey', RamResource.user(acct(ctx), userName ?? '*'));
    const k = iam.createAccessKey(acct(ctx), userName);
    return { AccessKey: { AccessKeyId: k.accessKeyId, AccessKeySecret: k.accessKeySecret, Status: k.status, CreateDate: k.createDate } };
  };

  const AttachPolicyToUser: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const userName = ctx.required('UserName');
    ctx.authorize('ram:AttachPolicyToUser', RamResource.user(acct(ctx), userName));
    iam.attachPolicyToUser(acct(ctx), policyType, policyName, userName);
    return {};
  };

  const DetachPolicyFromUser: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const userName = ctx.required('UserName');
    ctx.authorize('ram:DetachPolicyFromUser', RamResource.user(acct(ctx), userName));
    iam.detachPolicyFromUser(acct(ctx), policyType, policyName, userName);
    return {};
  };

  const ListPoliciesForUser: RpcHandler = (ctx) => {
    const userName = ctx.required('UserName');
    ctx.authorize('ram:ListPoliciesForUser', RamResource.user(acct(ctx), userName));
    return { Policies: { Policy: iam.listPoliciesForUser(acct(ctx), userName).map(attachedView) } };
  };

  const CreateGroup: RpcHandler = (ctx) => {
    const groupName = ctx.required('GroupName');
    ctx.authorize('ram:CreateGroup', RamResource.group(acct(ctx), groupName));
    const g = iam.createGroup(acct(ctx), groupName, ctx.param('Comments') ?? '');
    return { Group: { GroupId: g.groupId, GroupName: g.groupName, Comments: g.comments, CreateDate: g.createDate } };
  };

  const AddUserToGroup: RpcHandler = (ctx) => {
    const groupName = ctx.required('GroupName');
    const userName = ctx.required('UserName');
    ctx.authorize('ram:AddUserToGroup', RamResource.group(acct(ctx), groupName));
    iam.addUserToGroup(acct(ctx), groupName, userName);
    return {};
  };

  const ListGroupsForUser: RpcHandler = (ctx) => {
    const userName = ctx.required('UserName');
    ctx.authorize('ram:ListGroupsForUser', RamResource.user(acct(ctx), userName));
    return {
      Groups: { Group: iam.listGroupsForUser(acct(ctx), userName).map(({ group, joinDate }) => ({ GroupId: group.groupId, GroupName: group.groupName, Comments: group.comments, JoinDate: joinDate })) },
    };
  };

  const AttachPolicyToGroup: RpcHandler = (ctx) => {
    const policyType = ctx.required('PolicyType');
    const policyName = ctx.required('PolicyName');
    const groupName = ctx.required('GroupName');
    ctx.authorize('ram:AttachPolicyToGroup', RamResource.group(acct(ctx), groupName));
    iam.attachPolicyToGroup(acct(ctx), policyType, policyName, groupName);
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
