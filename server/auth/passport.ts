import passport from 'passport';
import type { Request } from 'express';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Db } from '../db';
import type { Logger } from '../logger';
import { findPrincipalByEmail, findPrincipalById, toActor } from '../repositories/principals';
import { realmOf, type Actor, type Realm } from '../permissions/actor';
import { hasPassword, makeDummyVerifier, verifyPassword, PASSWORD_MAX } from './passwords';
import { takePrincipalReadWithSession } from './session';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
  }
}

export const INVALID_LOGIN = 'Invalid email or password.';

export function strategyName(realm: Realm): string {
  return `${realm}-local`;
}

/** What the session remembers: only the id and the realm signed into. */
interface SessionUser {
  id: number;
  realm: Realm;
}

/**
 * One passport instance per app, with a strategy per realm. An unknown email, a wrong
 * password, a disabled account and the wrong realm all fail the same way and take the
 * same time.
 */
export function createPassport(db: Db, scryptCost: number, log: Logger): passport.PassportStatic {
  const instance = new passport.Passport() as passport.PassportStatic;
  const dummyVerify = makeDummyVerifier(scryptCost);

  for (const realm of ['portal', 'desk'] as const) {
    instance.use(
      strategyName(realm),
      new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
        (async () => {
          if (email.length > 320 || [...password].length > PASSWORD_MAX) return done(null, false);
          const principal = await findPrincipalByEmail(db, email);
          const usable = principal !== null && !principal.disabled && realmOf(principal.type) === realm && hasPassword(principal.passwordHash);
          const ok = usable ? await verifyPassword(password, principal.passwordHash) : await dummyVerify(password);
          if (!ok || !principal) {
            log.info({ event: 'login_failed', realm }, 'sign-in refused');
            return done(null, false);
          }
          log.info({ event: 'login', realm, principalId: principal.id }, 'signed in');
          return done(null, toActor(principal));
        })().catch(done);
      }),
    );
  }

  instance.serializeUser((user, done) => {
    done(null, { id: user.id, realm: realmOf(user.type) } satisfies SessionUser);
  });

  // Loaded on each request so a disabled account, a changed type or a password reset
  // (which ends older sessions) takes effect at once.
  // The session's own read usually brought the person along (a join); else it is read here.
  instance.deserializeUser<SessionUser, Request>((req, stored, done) => {
    const id = Number(stored.id);
    const read = takePrincipalReadWithSession(req, id);
    (read ? Promise.resolve(read) : findPrincipalById(db, id))
      .then((p) => {
        if (!p || p.disabled || realmOf(p.type) !== stored.realm) return done(null, false);
        const signedInAt = req.session?.authenticatedAt ?? 0;
        if (p.sessionsValidAfter > 0 && signedInAt < p.sessionsValidAfter) return done(null, false);
        done(null, toActor(p));
      })
      .catch(done);
  });

  return instance;
}
