/**
 * Entity types that Direct Access supports, with Targetprocess's ids where Targetprocess
 * has them (Request 17, UserStory 4, Bug 8, Feature 9, Epic 27, ...), so existing scripts
 * keep working. `stored` is the value of entity_permissions.entity_type.
 */
export type EntityTypeKind = 'request' | 'work_item' | 'release' | 'team_iteration';

export interface EntityTypeInfo {
  id: number;
  name: string;
  stored: string;
  kind: EntityTypeKind;
}

export const ENTITY_TYPES: readonly EntityTypeInfo[] = [
  { id: 2, name: 'Release', stored: 'release', kind: 'release' },
  { id: 4, name: 'UserStory', stored: 'user_story', kind: 'work_item' },
  { id: 5, name: 'Task', stored: 'task', kind: 'work_item' },
  { id: 8, name: 'Bug', stored: 'bug', kind: 'work_item' },
  { id: 9, name: 'Feature', stored: 'feature', kind: 'work_item' },
  { id: 16, name: 'Impediment', stored: 'impediment', kind: 'work_item' },
  { id: 17, name: 'Request', stored: 'request', kind: 'request' },
  { id: 19, name: 'Build', stored: 'build', kind: 'work_item' },
  { id: 27, name: 'Epic', stored: 'epic', kind: 'work_item' },
  { id: 34, name: 'PortfolioEpic', stored: 'portfolio_epic', kind: 'work_item' },
  { id: 60, name: 'TeamIteration', stored: 'team_iteration', kind: 'team_iteration' },
];

export function entityTypeById(id: number): EntityTypeInfo | undefined {
  return ENTITY_TYPES.find((t) => t.id === id);
}

export function entityTypeByName(name: string): EntityTypeInfo | undefined {
  return ENTITY_TYPES.find((t) => t.name.toLowerCase() === name.toLowerCase());
}

export function entityTypeByStored(stored: string): EntityTypeInfo | undefined {
  return ENTITY_TYPES.find((t) => t.stored === stored);
}
