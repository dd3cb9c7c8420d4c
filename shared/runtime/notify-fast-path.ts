/**
 * The notifications' fast path, hooked at the ledger port so no use case has to know: after a
 * create or transition that raised an event has committed (the ledger recorded the event in the
 * same transaction, shared/ledger/outbox.ts), a `notify` message goes to crossrole-notify.
 * Best effort: a failure is logged and never fails the step; the expiry scan sweeps events whose
 * message never reached the notifier (support/notifications.ts), so a crash between the commit
 * and this send loses nothing.
 */
import { errorMessage } from '../domain/errors';
import { notificationEventOf } from '../domain/notifications';
import { QueueName, type Logger, type QueuePort, type RequestRepository } from '../domain/ports';
import type { AccessRequest } from '../domain/access-request';
import type { Transition } from '../domain/state-machine';

export function withNotifyFastPath<L extends RequestRepository>(ledger: L, queue: QueuePort, logger: Logger): L {
  const announce = async (r: AccessRequest, transition: Transition | 'CREATE'): Promise<void> => {
    if (notificationEventOf(transition, r.status) === undefined) return;
    try {
      await queue.send(QueueName.NOTIFY, { requestId: r.id, version: r.version, kind: 'notify' });
    } catch (e) {
      logger.warn('notify message not sent; the expiry scan sweeps it', { requestId: r.id, error: errorMessage(e) });
    }
  };
  const create: RequestRepository['create'] = async (request, audit) => {
    const created = await ledger.create(request, audit);
    await announce(created, 'CREATE');
    return created;
  };
  const transition: RequestRepository['transition'] = async (id, expectedVersion, t, patch, audit) => {
    const moved = await ledger.transition(id, expectedVersion, t, patch, audit);
    await announce(moved, t);
    return moved;
  };
  return new Proxy(ledger, {
    get(target, prop) {
      if (prop === 'create') return create;
      if (prop === 'transition') return transition;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
