// A function as it should be: shared code only, never a sibling function.
import { parseHttpEvent } from '../../shared/runtime/http/event';

export const handler = async (event: Buffer): Promise<string> => parseHttpEvent(event).method;
