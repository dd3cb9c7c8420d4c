/**
 * What `crossrole bootstrap` and `crossrole doctor` share about the owner account: the catalog the
 * functions are deployed with, and the operator's clients for RAM, MNS and FC 3.0 in the account of
 * the credentials used.
 */
import {
  createFcClient, createQueueAdmin, createRamAdapter, createRamAdmin,
  type CloudCredentials, type FcClient, type QueueAdmin, type RamAdapter, type RamAdmin,
} from '../../shared/cloud';
import { localCatalog } from '../../shared/contract/local-catalog';
import type { Catalog } from '../../shared/domain/catalog';
import { loadCatalogFile, parseCatalogText } from '../catalog';
import type { Session } from '../context';

export interface KnownCatalog {
  catalog: Catalog;
  /** Where it came from, for messages. */
  source: string;
}

/** `--catalog <file>`, else CROSSROLE_CONFIG (as for `s deploy`), else the local stack's; undefined when none. */
export function findCatalog(session: Session, file: string | undefined): KnownCatalog | undefined {
  if (file !== undefined) return { catalog: loadCatalogFile(file), source: file };
  if (session.env.catalogFile !== undefined) return { catalog: loadCatalogFile(session.env.catalogFile), source: session.env.catalogFile };
  if (session.env.catalogJson !== undefined) return { catalog: parseCatalogText(session.env.catalogJson, 'CROSSROLE_CONFIG'), source: 'CROSSROLE_CONFIG' };
  if (session.local()) return { catalog: localCatalog(), source: 'deploy/local-catalog.json (local stack)' };
  return undefined;
}

export interface OwnerClients {
  account: string;
  region: string;
  ram: RamAdapter;
  admin: RamAdmin;
  queues: QueueAdmin;
  fc: FcClient;
  mnsEndpoint: string;
  fcEndpoint: string;
}

/**
 * Clients for the account `account` (the caller's): the real services' endpoints name the account
 * (`https://<uid>.mns.<region>.aliyuncs.com`, `https://<uid>.<region>.fc.aliyuncs.com`); the local
 * stack serves all on one. CROSSROLE_MNS_ENDPOINT overrides MNS (an internal endpoint, say).
 */
export function ownerClients(session: Session, credentials: CloudCredentials, account: string): OwnerClients {
  const eps = session.endpoints();
  const local = session.local() !== undefined;
  const mnsEndpoint = local ? eps.mns : session.env.mnsEndpoint ?? `https://${account}.mns.${eps.region}.aliyuncs.com`;
  const fcEndpoint = local ? eps.fc : `https://${account}.${eps.region}.fc.aliyuncs.com`;
  const retry = { maxAttempts: 2 };
  return {
    account,
    region: eps.region,
    ram: createRamAdapter({ endpoint: eps.ram.host, protocol: eps.ram.protocol, credentials, logger: session.logger, retry }),
    admin: createRamAdmin({ endpoint: eps.ram.host, protocol: eps.ram.protocol, credentials, logger: session.logger, retry }),
    queues: createQueueAdmin({ endpoint: mnsEndpoint, accountId: account, region: eps.region, credentials, logger: session.logger, retry }),
    fc: createFcClient({ endpoint: fcEndpoint, credentials, logger: session.logger, retry }),
    mnsEndpoint,
    fcEndpoint,
  };
}
