/** The Secret holding the conversion webhook's CA and serving certificate (see certificates.ts). */
export const WEBHOOK_TLS_SECRET = 'azo-webhook-tls';
