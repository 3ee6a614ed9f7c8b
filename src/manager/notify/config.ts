// How the manager sends notifications: an SMTP relay for email (none: email deliveries are
// recorded as failed, so the gap is visible), the CAs webhook receivers may be vouched for by,
// and how long any one delivery may take.

export interface SmtpRelay {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the relay offers it. */
  secure?: boolean;
  user?: string;
  password?: string;
  /** The sender address. */
  from: string;
}

export interface NotificationConfig {
  smtp?: SmtpRelay;
  /**
   * A PEM file of CA certificates that https:// webhook receivers' certificates may chain to,
   * besides the system's trusted CAs (a private CA of your own).
   */
  webhookCa?: string;
  /** Per delivery, milliseconds (default 10 s). */
  timeoutMs?: number;
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
