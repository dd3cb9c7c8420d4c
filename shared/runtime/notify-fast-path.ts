/**
 * The notifications' fast path, hooked at the ledger port so no use case has to know: after a
 * create or transition that raised an event has committed (the ledger recorded the event in the
 * same transaction, shared/ledger/outbox.ts), a `notify` message goes to crossrole-notify.
 * Best effort: a failure is logged and never fails the step; the expiry scan sweeps events whose
 * message never reached the notifier (support/notifications.ts), so a crash between the commit
 * and this send loses nothing.
 * The send is not awaited by the step: it overlaps with the step's own work (its workflow message,
 * its answer), so a caller waits no longer than before; the function's handler settles it before
 * the invocation ends (settleNotifySends, function-handlers.ts), as FC may freeze an instance
 * between invocations.
 */
import { errorMessage } from '../domain/errors';
import { notificationEventOf } from '../domain/notifications';
import { QueueName, type Logger, type QueuePort, type RequestRepository } from '../domain/ports';
import type { AccessRequest } from '../domain/access-request';
import { ApprovalDecision } from '../domain/quorum';
import { Transition, targetOf } from '../domain/state-machine';

/** Sends under way in this instance (one invocation at a time: nodejs20 is a standard runtime). */
const inFlight = new Set<Promise<void>>();

/** Wait for this invocation's notify sends (they never reject). */
export async function settleNotifySends(): Promise<void> {
  await Promise.all([...inFlight]);
}

export function withNotifyFastPath<L extends RequestRepository>(ledger: L, queue: QueuePort, logger: Logger): L {
  const announce = (r: AccessRequest, transition: Transition | 'CREATE'): void => {
    if (notificationEventOf(transition, r) === undefined) return;
    const sent = queue.send(QueueName.NOTIFY, { requestId: r.id, version: r.version, kind: 'notify' }).then(
      () => undefined,
      (e: unknown) => logger.warn('notify message not sent; the expiry scan sweeps it', { requestId: r.id, error: errorMessage(e) }),
    );
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };
  const create: RequestRepository['create'] = async (request, audit) => {
    const created = await ledger.create(request, audit);
    announce(created, 'CREATE');
    return created;
  };
  const transition: RequestRepository['transition'] = async (id, expectedVersion, t, patch, audit) => {
    const moved = await ledger.transition(id, expectedVersion, t, patch, audit);
    announce(moved, t);
    return moved;
  };
  // An approver's decision moves the request only when it completes the quorum or rejects.
  const decide: RequestRepository['decide'] = async (id, input, audit) => {
    const result = await ledger.decide(id, input, audit);
    if (result.counted) {
      const moved = input.decision === ApprovalDecision.REJECT ? Transition.REJECT : input.onQuorum?.transition;
      if (moved !== undefined && result.request.status === targetOf(moved)) announce(result.request, moved);
    }
    return result;
  };
  return new Proxy(ledger, {
    get(target, prop) {
      if (prop === 'create') return create;
      if (prop === 'transition') return transition;
      if (prop === 'decide') return decide;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
