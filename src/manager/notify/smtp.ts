// Email through the configured SMTP relay (nodemailer).
import nodemailer from 'nodemailer';
import type { SmtpRelay } from './config.js';

export interface Mail {
  to: string[];
  subject: string;
  text: string;
}

export type SendMail = (mail: Mail) => Promise<void>;

export function smtpMailer(relay: SmtpRelay, timeoutMs: number): SendMail {
  const transport = nodemailer.createTransport({
    host: relay.host,
    port: relay.port,
    secure: relay.secure ?? false,
    ...(relay.user ? { auth: { user: relay.user, pass: relay.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return async (mail) => {
    await transport.sendMail({ from: relay.from, to: mail.to, subject: mail.subject, text: mail.text });
  };
}
