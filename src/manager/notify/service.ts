// Notifications about configuration changes, warnings and exceptions: one email to the
// contacts and one POST to each webhook, every delivery recorded as sent or failed (with why)
// so a relay that is down, or a receiver whose certificate is not trusted, is seen, not
// silently lost. A delivery is tried once, never again: a failed one never fails the change
// that caused it, and the record is what there is to act on.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DeliveryView, NoticeKind } from '../../api/capacity.js';
import type { Database } from '../db/schema.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, type NotificationConfig } from './config.js';
import { smtpMailer, type SendMail } from './smtp.js';
import { postWebhook, readWebhookCa, type WebhookTrust } from './webhook.js';

export interface Notice {
  kind: NoticeKind;
  complex: { id: string; name: string } | null;
  subject: string;
  text: string;
  /** Machine-readable details, for webhooks. */
  data?: Record<string, unknown>;
}

export interface Recipients {
  emails: string[];
  webhooks: string[];
}

export class NotifyService {
  private readonly timeoutMs: number;
  private readonly mail: SendMail | null;
  private readonly webhookTrust: WebhookTrust;

  constructor(private readonly db: Kysely<Database>, config: NotificationConfig, private readonly log: Logger) {
    this.timeoutMs = config.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    this.mail = config.smtp ? smtpMailer(config.smtp, this.timeoutMs) : null;
    this.webhookTrust = config.webhookCa ? { ca: readWebhookCa(config.webhookCa) } : {};
  }

  /** Delivers the notice to every recipient; resolves with what was recorded. */
  async send(notice: Notice, to: Recipients): Promise<DeliveryView[]> {
    const subject = `[capstan] ${notice.subject}`;
    const deliveries: Promise<DeliveryView>[] = [];
    if (to.emails.length > 0) {
      deliveries.push(this.deliver(notice, subject, 'email', to.emails.join(', '), async () => {
        if (!this.mail) throw new Error('no SMTP relay is configured (notifications.smtp in manager.json)');
        await this.mail({ to: to.emails, subject, text: notice.text });
      }));
    }
    for (const url of to.webhooks) {
      const body = { kind: notice.kind, subject: notice.subject, text: notice.text, complex: notice.complex, data: notice.data ?? {}, at: new Date().toISOString() };
      deliveries.push(this.deliver(notice, subject, 'webhook', url, () => postWebhook(url, body, this.timeoutMs, this.webhookTrust)));
    }
    return Promise.all(deliveries);
  }

  async list(query: { complexId?: string; limit: number }): Promise<DeliveryView[]> {
    let q = this.db.selectFrom('notification_deliveries').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(query.limit);
    if (query.complexId) q = q.where('complex_id', '=', query.complexId);
    return (await q.execute()).map((r) => ({
      id: r.id,
      complex: r.complex_id,
      kind: r.kind as NoticeKind,
      subject: r.subject,
      channel: r.channel as DeliveryView['channel'],
      target: r.target,
      status: r.status as DeliveryView['status'],
      error: r.error,
      createdAt: r.created_at,
    }));
  }

  private async deliver(notice: Notice, subject: string, channel: DeliveryView['channel'], target: string, send: () => Promise<void>): Promise<DeliveryView> {
    let error: string | null = null;
    try {
      await send();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      this.log.warn({ channel, target, subject, err: error }, 'notification not delivered');
    }
    const view: DeliveryView = {
      id: randomUUID(),
      complex: notice.complex?.id ?? null,
      kind: notice.kind,
      subject,
      channel,
      target,
      status: error === null ? 'sent' : 'failed',
      error,
      createdAt: new Date().toISOString(),
    };
    await this.db.insertInto('notification_deliveries').values({
      id: view.id,
      complex_id: view.complex,
      kind: view.kind,
      subject: view.subject,
      channel: view.channel,
      target: view.target,
      status: view.status,
      error: view.error,
      created_at: view.createdAt,
    }).execute();
    return view;
  }
}
