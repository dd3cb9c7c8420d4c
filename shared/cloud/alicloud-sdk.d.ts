/**
 * Types for the official SDK that ships without declarations (@alicloud/mns 1.2.0). Only what the
 * adapters use, as read from the package's lib/client.js. (@alicloud/fc2 is no longer used by the product:
 * FC goes through @alicloud/fc20230330, which ships its own types.)
 */
declare module '@alicloud/mns' {
  interface MnsClientOptions {
    accessKeyId: string;
    accessKeySecret: string;
    /** Full URL: `http://127.0.0.1:9494` or `https://<uid>.mns.<region>.aliyuncs.com`. */
    endpoint?: string;
    region?: string;
    /** Sent as the unsigned `security-token` header. */
    securityToken?: string;
    readTimeout?: number;
    connectTimeout?: number;
  }
  interface MnsResponse<B> {
    code: number;
    headers: Record<string, string>;
    body: B;
  }
  /** Every leaf comes back as a string. */
  interface MnsMessage {
    MessageId?: string;
    ReceiptHandle?: string;
    MessageBody?: string;
    MessageBodyMD5?: string;
    DequeueCount?: string;
    EnqueueTime?: string;
    FirstDequeueTime?: string;
    NextVisibleTime?: string;
    Priority?: string;
  }
  interface SendMessageParams {
    MessageBody: string;
    DelaySeconds?: number;
    Priority?: number;
  }
  class MNSClient {
    constructor(accountId: string, options: MnsClientOptions);
    sendMessage(queue: string, params: SendMessageParams): Promise<MnsResponse<MnsMessage>>;
    receiveMessage(queue: string, waitSeconds?: number): Promise<MnsResponse<MnsMessage>>;
    batchReceiveMessage(queue: string, numOfMessages: number, waitSeconds?: number): Promise<MnsResponse<MnsMessage[]>>;
    deleteMessage(queue: string, receiptHandle: string): Promise<MnsResponse<undefined>>;
    changeMessageVisibility(queue: string, receiptHandle: string, visibilityTimeout: number): Promise<MnsResponse<{ ReceiptHandle?: string; NextVisibleTime?: string }>>;
    createQueue(name: string, params?: Record<string, number | string>): Promise<MnsResponse<undefined>>;
    deleteQueue(name: string): Promise<MnsResponse<undefined>>;
    getQueueAttributes(name: string): Promise<MnsResponse<Record<string, string>>>;
    /** PUT /queues/<name>?metaoverride=true with the given attributes. */
    setQueueAttributes(name: string, params?: Record<string, number | string>): Promise<MnsResponse<undefined>>;
  }
  export = MNSClient;
}
