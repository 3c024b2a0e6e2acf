/**
 * The one module that answers "may this actor do that". Routes, views and repositories ask
 * here and never look at an actor's type themselves.
 */
export * from './actor';
export { canEnter, type Area } from './policies/realms';
