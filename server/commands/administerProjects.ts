import type { Db } from '../db';
import { Invalid, NotFound } from '../errors';
import type { Actor } from '../permissions';
import { recordAudit } from '../repositories/audit';
import { findProject, insertProject, projectNamedLike, updateProject, type ProjectRow } from '../repositories/projects';

export type ProjectFields = Omit<ProjectRow, 'id'>;

const taken = (name: string) => new Invalid(`There is already a project named "${name}" (names are compared without regard to case).`, { name: 'taken' });

/** A new project, audited with its name and both access flags. It starts without members. */
export async function createProject(db: Db, actor: Actor, p: ProjectFields): Promise<number> {
  return db.transaction(async (trx) => {
    const existing = await projectNamedLike(trx, p.name);
    if (existing) throw taken(existing.name);
    const id = await insertProject(trx, p);
    await recordAudit(trx, { actorId: actor.id, action: 'project.created', targetType: 'project', targetId: id, before: null, after: { name: p.name, isPrivate: p.isPrivate, portalEnabled: p.portalEnabled } });
    return id;
  });
}

/**
 * Changes a project's name or access flags, one audit event per changed value. The flags are
 * permission changes: `is_private` decides whether observers and contributors who are not
 * members see the project, `portal_enabled` whether customers may submit into it and see its
 * public requests. Every scope and policy reads them from the projects row per request, and
 * the request tallies are kept per project whatever its flags (filtered when read), so the
 * change is seen at once everywhere and nothing needs recounting.
 */
export async function changeProject(db: Db, actor: Actor, id: number, changes: Partial<ProjectFields>): Promise<void> {
  await db.transaction(async (trx) => {
    const project = await findProject(trx, id, true);
    if (!project) throw new NotFound();
    if (changes.name !== undefined && changes.name !== project.name) {
      const existing = await projectNamedLike(trx, changes.name, id);
      if (existing) throw taken(existing.name);
    }
    const audit = (action: string, before: unknown, after: unknown) => recordAudit(trx, { actorId: actor.id, action, targetType: 'project', targetId: id, before, after });
    const fields: Partial<ProjectFields> = {};
    if (changes.name !== undefined && changes.name !== project.name) {
      fields.name = changes.name;
      await audit('project.renamed', { name: project.name }, { name: changes.name });
    }
    if (changes.isPrivate !== undefined && changes.isPrivate !== project.isPrivate) {
      fields.isPrivate = changes.isPrivate;
      await audit('project.privacy_changed', { isPrivate: project.isPrivate }, { isPrivate: changes.isPrivate });
    }
    if (changes.portalEnabled !== undefined && changes.portalEnabled !== project.portalEnabled) {
      fields.portalEnabled = changes.portalEnabled;
      await audit('project.portal_changed', { portalEnabled: project.portalEnabled }, { portalEnabled: changes.portalEnabled });
    }
    await updateProject(trx, id, fields);
  });
}
