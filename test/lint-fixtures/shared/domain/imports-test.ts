import { getTestEvent } from '../../test/helpers/get-test-event';

export const event = getTestEvent;
