/** Signing in through Portico's real login forms, as a browser would, with fetch. */

/** Portico runs with NODE_ENV=production (Secure cookies) behind a pretend TLS proxy. */
export const PROXY_HEADERS = { 'x-forwarded-proto': 'https' } as const;

function cookiesOf(res: Response, jar: Map<string, string>): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

function header(jar: Map<string, string>): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** The Cookie header of a signed-in session, or throws with what went wrong. */
export async function signIn(baseUrl: string, realm: 'portal' | 'desk', email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const page = await fetch(`${baseUrl}/${realm}/login`, { headers: PROXY_HEADERS, redirect: 'manual' });
  cookiesOf(page, jar);
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !csrf) throw new Error(`GET /${realm}/login answered ${page.status} without a CSRF token`);
  const res = await fetch(`${baseUrl}/${realm}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...PROXY_HEADERS, 'content-type': 'application/x-www-form-urlencoded', cookie: header(jar) },
    body: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
  });
  cookiesOf(res, jar);
  if (res.status !== 303) throw new Error(`sign-in of ${email} at /${realm}/login answered ${res.status}`);
  return header(jar);
}
