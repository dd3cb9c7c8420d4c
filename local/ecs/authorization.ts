/**
 * ECS (2014-05-26): what RAM checks for each action the local ECS serves.
 */
import type { AuthorizationTable } from '../core/authorization';

export const ECS_AUTHORIZATION: AuthorizationTable = {
  DescribeInstances: {
    action: 'ecs:DescribeInstances',
    // The table lists Instance instance/* and instance/{#instanceId}, neither required. The
    // whole-region form is checked. A caller without permission gets Forbidden.RAM, as the real
    // API does since 2025-12-20 (www.alibabacloud.com/help/en/ecs/announcement-of-changes-to-the-
    // authentication-mechanism-for-alibaba-cloud-ecs-query-type-apis); the page's 接口说明 still
    // describes the empty list answered before.
    resources: (r) => [`acs:ecs:${r.required('RegionId')}:${r.accountId}:instance/*`],
    source: 'help.aliyun.com/document_detail/2679689.html: ecs:DescribeInstances list, Instance acs:ecs:{#regionId}:{#accountId}:instance/*',
  },
  DescribeRegions: {
    action: 'ecs:DescribeRegions',
    // [UNCONFIRMED] the reference discloses no authorization (alibabacloud.com/help/zh/ecs/
    // developer-reference/api-ecs-2014-05-26-describeregions: 当前API暂无授权信息透出; its error
    // table has 403 Unauthorized.EmptyRegion). Checked on the account's ECS resources.
    resources: (r) => [`acs:ecs:*:${r.accountId}:*`],
    source: 'alibabacloud.com/help/zh/ecs/developer-reference/api-ecs-2014-05-26-describeregions: no authorization disclosed [UNCONFIRMED]',
  },
};
