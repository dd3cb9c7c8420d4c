/**
 * Parity, scenario 6 — the MNS queue behaviour Crossrole's workflow relies on, through the real
 * @alicloud/mns client: delayed messages (the expiry timer), visibility timeouts and receipt
 * handles (at-least-once delivery), ChangeMessageVisibility (back-off).
 *
 * Error codes (the SDK names them `MNS<Code>Error`; statuses from the MNS error code table,
 * alibabacloud.com/help/en/mns/error-codes):
 * - nothing to receive: 404 MessageNotExist (ReceiveMessage, doc-detail/35136);
 * - a receipt handle that is no longer the current one: 404 MessageNotExist ("message not exist
 *   appears when you delete a message in mns", alibabacloud.com/help/en/mns/message-not-exist-appears-when-you-delete-a-message-in-mns);
 * - a malformed receipt handle: 400 ReceiptHandleError (DeleteMessage reference, doc-detail/35138).
 */
import { mnsClient, type MnsClient } from './clients';
import { useTarget } from './fixtures';
import { eventually, expectMnsError, resourceName } from './support';
import type { Target } from './target';

/** Message timing is the service's own, not eventual consistency: a fixed bound. */
const TIMING_BOUND = { timeoutMs: 15_000, intervalMs: 250 };

describe('parity: MNS queues', () => {
  const { target, cleanup } = useTarget();
  let mns: MnsClient;

  /** A queue of ours (PollingWaitSeconds 0: a receive answers at once), deleted in afterAll. */
  async function queue(t: Target, label: string, visibilityTimeout: number): Promise<string> {
    mns = mnsClient(t, t.owner.accountId, t.owner.admin);
    const name = resourceName(t, label);
    await mns.createQueue(name, { VisibilityTimeout: visibilityTimeout, PollingWaitSeconds: 0, DelaySeconds: 0 });
    cleanup.add(`delete queue ${name}`, () => mns.deleteQueue(name));
    return name;
  }

  it('DelaySeconds: a delayed message is invisible (404 MessageNotExist) until it is due', async () => {
    const t = target();
    const q = await queue(t, 'q-delay', 30);
    const sentAt = Date.now();
    await mns.sendMessage(q, { MessageBody: 'expire grant-1', DelaySeconds: 2 });
    await expectMnsError(mns.receiveMessage(q), 'MessageNotExist', 404);

    const got = await eventually(() => mns.receiveMessage(q), TIMING_BOUND);
    expect(got.body.MessageBody).toBe('expire grant-1');
    // MNS times are whole milliseconds of its own clock; a second of slack for rounding and skew.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1000);
    expect((await mns.deleteMessage(q, got.body.ReceiptHandle)).code).toBe(204);
  });

  it('visibility timeout: a received message comes back with a new handle; the old one is 404 MessageNotExist', async () => {
    const t = target();
    const q = await queue(t, 'q-vis', 2);
    await mns.sendMessage(q, { MessageBody: 'provision grant-2' });
    const first = await mns.receiveMessage(q);
    const firstAt = Date.now();
    expect(first.body.DequeueCount).toBe('1');
    // In flight: nobody else gets it.
    await expectMnsError(mns.receiveMessage(q), 'MessageNotExist', 404);

    const second = await eventually(() => mns.receiveMessage(q), TIMING_BOUND);
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(1000);
    expect(second.body.MessageId).toBe(first.body.MessageId);
    expect(second.body.DequeueCount).toBe('2');
    expect(second.body.ReceiptHandle).not.toBe(first.body.ReceiptHandle);

    await expectMnsError(mns.deleteMessage(q, first.body.ReceiptHandle), 'MessageNotExist', 404);
    await expectMnsError(mns.deleteMessage(q, 'not-a-receipt-handle'), 'ReceiptHandleError', 400);
    expect((await mns.deleteMessage(q, second.body.ReceiptHandle)).code).toBe(204);
    await expectMnsError(mns.receiveMessage(q), 'MessageNotExist', 404);
  });

  it('ChangeMessageVisibility returns a new handle and moves the next visible time both ways', async () => {
    const t = target();
    const q = await queue(t, 'q-cmv', 30);
    await mns.sendMessage(q, { MessageBody: 'approve grant-3' });
    const got = await mns.receiveMessage(q);

    // Shorten 30 s to 1 s: the message is back long before the queue's visibility timeout.
    const shortened = await mns.changeMessageVisibility(q, got.body.ReceiptHandle, 1);
    expect(shortened.body.ReceiptHandle).not.toBe(got.body.ReceiptHandle);
    expect(Number(shortened.body.NextVisibleTime)).toBeLessThan(Date.now() + 10_000);
    // The handle returned by the change is the one to use from now on ([UNCONFIRMED] that the old
    // one stops working at once; the local cloud says so, the stricter reading).
    await expectMnsError(mns.deleteMessage(q, got.body.ReceiptHandle), 'MessageNotExist', 404);
    const again = await eventually(() => mns.receiveMessage(q), TIMING_BOUND);
    expect(again.body.MessageId).toBe(got.body.MessageId);

    // Lengthen: invisible again, and only the newest handle deletes it.
    const lengthened = await mns.changeMessageVisibility(q, again.body.ReceiptHandle, 30);
    await expectMnsError(mns.receiveMessage(q), 'MessageNotExist', 404);
    expect((await mns.deleteMessage(q, lengthened.body.ReceiptHandle)).code).toBe(204);
  });
});
