/** What test/node/webhook-receiver.ts records of each delivery it got. */
export interface Received {
  webhookId: string;
  /** Whether one of the receiver's secrets verified the signature (and the timestamp was recent). */
  verified: boolean;
  /** How many signatures the delivery carried (two during a rotation). */
  signatures: number;
  /** The status the receiver answered. */
  answered: number;
  payload: unknown;
}
