/**
 * setupFilesAfterEnv of the parity projects: the local cloud answers at once (a broken test
 * fails fast), a real account needs minutes for eventually consistent steps.
 */
import { targetKind } from './target';

jest.setTimeout(targetKind() === 'live' ? 600_000 : 20_000);
