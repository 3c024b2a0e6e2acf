import path from 'node:path';

const parent = path.resolve(__dirname, '..');

/**
 * The checkout's root (views/, public/, node_modules/), whether this code runs from
 * server/ through tsx or compiled into dist/server/ (`npm run build`).
 */
export const PROJECT_ROOT = path.basename(parent) === 'dist' ? path.dirname(parent) : parent;
