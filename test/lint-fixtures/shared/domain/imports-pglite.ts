import { PGlite } from '@electric-sql/pglite';

export const db = PGlite;
