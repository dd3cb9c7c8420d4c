/**
 * `crossrole profiles`: what the caller may ask for, from the API (`GET /profiles` on intake), so
 * partners need no copy of the owner's catalog.
 */
import { formatDuration } from '../../shared/domain/duration';
import type { Session } from '../context';
import { ExitCode } from '../errors';
import { safeName } from '../format';

export async function profilesCommand(session: Session): Promise<number> {
  const { ui } = session;
  const { profiles } = await session.api().profiles();
  if (ui.json) {
    ui.printJson({ profiles });
    return ExitCode.OK;
  }
  const width = Math.max(7, ...profiles.map((p) => p.name.length));
  ui.out(`${'PROFILE'.padEnd(width)}  MAX    APPROVAL   PRIVILEGED  POLICIES / DESCRIPTION`);
  for (const p of profiles) {
    const policies = p.policies.map((x) => `${x.type} ${safeName(x.name)}`).join(', ');
    ui.out(`${safeName(p.name).padEnd(width)}  ${formatDuration(p.maxDurationSeconds).padEnd(5)}  ${(p.approvalRequired ? 'required' : 'automatic').padEnd(9)}  ${(p.privileged ? 'yes' : 'no').padEnd(10)}  ${policies}`);
    if (p.description !== undefined) ui.out(`${''.padEnd(width)}  ${safeName(p.description)}`);
  }
  ui.out('Ask with: crossrole request --access-profile <name> --duration <up to MAX> --reason "..."' + (profiles.some((p) => p.privileged) ? ' (privileged: --acknowledge-privileged)' : ''));
  return ExitCode.OK;
}
