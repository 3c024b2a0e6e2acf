import type { Db } from '../db';
import { toDate } from '../db';
import type { Page } from './requests';

export interface OutboxItem {
  id: number;
  to: string;
  subject: string;
  text: string;
  createdAt: Date;
  sentAt: Date | null;
  error: string | null;
}

export async function listOutbox(db: Db, page: number, pageSize: number): Promise<Page<OutboxItem>> {
  const [rows, count] = await Promise.all([
    db('mail_outbox').orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize).select('*'),
    db('mail_outbox').count({ n: '*' }).first(),
  ]);
  return {
    items: rows.map((r: Record<string, unknown>) => ({
      id: Number(r.id),
      to: String(r.to_address),
      subject: String(r.subject),
      text: String(r.text_body),
      createdAt: toDate(r.created_at),
      sentAt: r.sent_at == null ? null : toDate(r.sent_at),
      error: r.error == null ? null : String(r.error),
    })),
    total: Number((count as Record<string, unknown> | undefined)?.n ?? 0),
    page,
    pageSize,
  };
}
