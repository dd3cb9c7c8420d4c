// Breaks: the emulator's quotas must not come from the product's pacing table.
import { RAM_API_QUOTAS } from '../../shared/cloud/rate-limiter';

export const quotas = RAM_API_QUOTAS;
