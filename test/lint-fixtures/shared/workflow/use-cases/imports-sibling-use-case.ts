// A use case calling another use case: what they share belongs in support/.
import { parseReason } from './submit';

export const reason = (input: unknown): string => parseReason(input);
