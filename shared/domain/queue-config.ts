/**
 * How Crossrole's queues are created (`crossrole bootstrap`, and the local stack).
 *
 * MessageRetentionPeriod: MNS deletes a message this long after it was sent, consumed or not; the
 * default is 345,600 s (4 days), the maximum 604,800 s (7 days)
 * (www.alibabacloud.com/help/en/mns/how-do-i-extend-the-retention-period-of-a-message-in-mns).
 * A grant's `expire` message is sent delayed until the expiry: with the default, a grant longer
 * than 4 days would lose it. 7 days is the most MNS keeps (and the longest delay it accepts);
 * the expiry scan and the guard policy cover anything longer.
 */
export const QUEUE_MESSAGE_RETENTION_SECONDS = 604_800;

/** The attributes CreateQueue is sent with, by their MNS names. */
export const QUEUE_ATTRIBUTES = { MessageRetentionPeriod: QUEUE_MESSAGE_RETENTION_SECONDS } as const;
