export * from './clock';
export * from './logger';
export * from './ledger';
export * from './ram';
export * from './queue';
export * from './world';
