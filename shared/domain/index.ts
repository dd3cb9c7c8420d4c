export * from './errors';
export * from './state-machine';
export * from './access-request';
export * from './duration';
export * from './identifiers';
export * from './catalog';
export * from './ports';
export * from './intake';
