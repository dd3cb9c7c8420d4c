/**
 * Local VPCs: which host:port endpoints of the local cloud are VPC-internal (the ledger's
 * PostgreSQL, standing in for RDS/PolarDB), and which functions may reach them.
 *
 * "函数计算中创建的函数,默认可以访问公网,而无法访问VPC内的资源" (help.aliyun.com/document_detail/
 * 2513536.html, 配置网络; www.alibabacloud.com/help/en/functioncompute/fc/user-guide/
 * configure-network-settings): a function reaches a VPC's resources only through its
 * `vpcConfig`, and keeps internet access (`internetAccess`, default true) with it.
 * A function whose vpcConfig names a VPC that does not exist, or a vSwitch or security group
 * outside it, would not deploy; the local runtime refuses it at start.
 */
import { ValidationError } from '../../shared/domain/errors';
import type { FunctionSpec } from './spec';

interface LocalVpcEndpoint {
  host: string;
  port: number;
}

export interface LocalVpc {
  vpcId: string;
  vSwitchIds: string[];
  securityGroupId: string;
  /** Addresses inside this VPC: reachable only from functions attached to it. */
  endpoints: LocalVpcEndpoint[];
}

/**
 * Linux gives up on a connect whose SYNs go unanswered after about 127 s (tcp_syn_retries = 6).
 * A packet to a private address outside the function's network is dropped, not refused, so the
 * connection hangs that long, usually past the function's own timeout.
 */
export const UNREACHABLE_CONNECT_TIMEOUT_MS = 127_000;

function checkDeclared(vpcs: readonly LocalVpc[]): void {
  const ids = new Set<string>();
  for (const v of vpcs) {
    if (!/^vpc-[A-Za-z0-9]+$/.test(v.vpcId)) throw new ValidationError('INVALID_CONFIG', 'vpcs', `"${v.vpcId}" is not a VPC ID (vpc-...)`);
    if (ids.has(v.vpcId)) throw new ValidationError('INVALID_CONFIG', 'vpcs', `VPC ${v.vpcId} is declared twice`);
    ids.add(v.vpcId);
    for (const e of v.endpoints) {
      if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535) throw new ValidationError('INVALID_CONFIG', 'vpcs', `VPC ${v.vpcId}: endpoint ${e.host}:${e.port} has no valid port`);
    }
  }
}

/** Refuse, naming the function, a vpcConfig that does not fit the declared VPCs. */
export function checkVpcAttachments(functions: readonly FunctionSpec[], vpcs: readonly LocalVpc[]): void {
  checkDeclared(vpcs);
  for (const f of functions) {
    const c = f.vpcConfig;
    if (c === undefined) continue;
    const key = `resources.${f.resourceName}.props.vpcConfig`;
    const vpc = vpcs.find((v) => v.vpcId === c.vpcId);
    if (!vpc) {
      const known = vpcs.length === 0 ? 'none is declared' : `declared: ${vpcs.map((v) => v.vpcId).join(', ')}`;
      throw new ValidationError('INVALID_CONFIG', `${key}.vpcId`, `function ${f.functionName}: VPC ${c.vpcId} does not exist in the local cloud (${known})`);
    }
    const foreign = c.vSwitchIds.filter((s) => !vpc.vSwitchIds.includes(s));
    if (foreign.length > 0) {
      throw new ValidationError('INVALID_CONFIG', `${key}.vSwitchIds`, `function ${f.functionName}: vSwitch ${foreign.join(', ')} is not in VPC ${vpc.vpcId} (its vSwitches: ${vpc.vSwitchIds.join(', ')})`);
    }
    if (c.securityGroupId !== vpc.securityGroupId) {
      throw new ValidationError('INVALID_CONFIG', `${key}.securityGroupId`, `function ${f.functionName}: security group ${c.securityGroupId} is not in VPC ${vpc.vpcId} (${vpc.securityGroupId} is)`);
    }
  }
}

/** The VPC-internal endpoints a function cannot reach: those of every VPC it is not attached to. */
export function unreachableEndpoints(spec: FunctionSpec, vpcs: readonly LocalVpc[]): LocalVpcEndpoint[] {
  return vpcs.filter((v) => v.vpcId !== spec.vpcConfig?.vpcId).flatMap((v) => v.endpoints.map((e) => ({ host: e.host, port: e.port })));
}
