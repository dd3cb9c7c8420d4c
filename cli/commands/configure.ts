/**
 * `crossrole configure`: write the client config (cli/client-config.ts) that every command reads,
 * from the values the owner's `crossrole bootstrap` hands out. Settings not given keep their value
 * in an existing file; giving `--api-url` replaces the two trigger URLs and the other way round.
 * `--show` prints the file and changes nothing.
 */
import { clientConfigPath } from '../config';
import { readClientConfig, writeClientConfig, type ClientConfig } from '../client-config';
import type { Session } from '../context';
import { ExitCode, UsageError } from '../errors';

/** The settings under their config names, but for the two whose flags are named otherwise. */
interface ConfigureOptions extends Omit<ClientConfig, 'ownerAccountId' | 'aliyunProfile'> {
  ownerAccount?: string;
  profile?: string;
  show?: boolean;
}

const LABELS: Record<keyof ClientConfig, string> = {
  intakeUrl: 'intake URL',
  approvalUrl: 'approval URL',
  apiUrl: 'API (custom domain)',
  region: 'region',
  stsEndpoint: 'STS endpoint',
  mnsEndpoint: 'MNS endpoint',
  ownerAccountId: 'owner account',
  aliyunProfile: 'aliyun profile',
};

function print(session: Session, path: string, config: ClientConfig | undefined, verb: string): void {
  const { ui } = session;
  if (ui.json) {
    ui.printJson({ path, exists: config !== undefined, config: config ?? null });
    return;
  }
  if (config === undefined) {
    ui.out(`No client config at ${path}. Write it with the \`crossrole configure ...\` command your Crossrole owner gave you.`);
    return;
  }
  ui.out(`${verb} ${path}:`);
  for (const [key, label] of Object.entries(LABELS) as Array<[keyof ClientConfig, string]>) {
    const v = config[key];
    if (v !== undefined) ui.out(`  ${label.padEnd(20)} ${v}`);
  }
}

export function configureCommand(session: Session, o: ConfigureOptions): number {
  const path = clientConfigPath(session.env);
  const given: ClientConfig = {
    ...(o.intakeUrl === undefined ? {} : { intakeUrl: o.intakeUrl }),
    ...(o.approvalUrl === undefined ? {} : { approvalUrl: o.approvalUrl }),
    ...(o.apiUrl === undefined ? {} : { apiUrl: o.apiUrl }),
    ...(o.region === undefined ? {} : { region: o.region }),
    ...(o.stsEndpoint === undefined ? {} : { stsEndpoint: o.stsEndpoint }),
    ...(o.mnsEndpoint === undefined ? {} : { mnsEndpoint: o.mnsEndpoint }),
    ...(o.ownerAccount === undefined ? {} : { ownerAccountId: o.ownerAccount }),
    ...(o.profile === undefined ? {} : { aliyunProfile: o.profile }),
  };
  if (o.show) {
    if (Object.keys(given).length > 0) throw new UsageError('--show prints the config and changes nothing: give it no settings');
    print(session, path, readClientConfig(session.env)?.config, 'Client config');
    return ExitCode.OK;
  }
  if (Object.keys(given).length === 0) {
    throw new UsageError('nothing to configure', 'give the settings the owner handed out (--intake-url, --approval-url, --region, --sts-endpoint), or --show to print the config.');
  }
  // An unreadable or invalid existing file is replaced, not merged: the new settings must stand alone then.
  let existing: ClientConfig = {};
  try {
    existing = readClientConfig(session.env)?.config ?? {};
  } catch {
    existing = {};
  }
  const merged: ClientConfig = { ...existing, ...given };
  if (given.apiUrl !== undefined) {
    delete merged.intakeUrl;
    delete merged.approvalUrl;
  } else if (given.intakeUrl !== undefined || given.approvalUrl !== undefined) {
    delete merged.apiUrl;
  }
  const written = writeClientConfig(session.env, merged);
  print(session, written, readClientConfig(session.env)?.config, 'Wrote');
  if (!session.ui.json) session.ui.out('Check it with `crossrole doctor`.');
  return ExitCode.OK;
}
