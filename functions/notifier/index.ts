/** crossrole-notifier (MNS crossrole-notify): delivers a request's notifications to the catalog's webhooks. */
import { deliverNotifications } from '../../shared/workflow';
import { notifierFunction } from '../../shared/runtime/function-handlers';

export const handler = notifierFunction(deliverNotifications);
