// Support as it should be: domain, policy and other support modules.
import { QueueName } from '../../domain/ports';
import { trustedAccounts } from '../../policy';
import { Actor } from './deps';

export const parts = { QueueName, trustedAccounts, Actor };
