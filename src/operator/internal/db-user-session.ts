/** What the User reconciler needs of a database server session, whatever the engine. */

/** How to log into a server as its administrator. */
export interface DbConnection {
  host: string;
  port: number;
  /** TLS, verifying the server's certificate for `host` (off for an `AZO_DATABASE_HOSTS` stand-in). */
  tls: boolean;
  adminUser: string;
  /** The administrator's password, or for an Entra login (`entraToken`) an access token. */
  adminPassword: string;
  /**
   * An Entra login: the password is an access token, sent as the server asks (MySQL: in clear, the
   * `mysql_clear_password` plugin; over TLS unless the address is an `AZO_DATABASE_HOSTS` stand-in).
   */
  entraToken?: boolean;
  timeoutMs: number;
  /** Cuts the connection, while it is being made too (the reconcile's deadline). */
  signal?: AbortSignal;
}

/**
 * Waits for `work`; if `signal` aborts first, calls `cut` (which drops the connection, half-open or not) and rejects at
 * once with "the reconcile deadline passed", whatever the driver does next. Nothing starts once `signal` has aborted.
 */
export async function untilDeadline<T>(
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
  cut: () => void = () => undefined,
): Promise<T> {
  if (signal === undefined) return work();
  const passed = () => new Error('the reconcile deadline passed');
  if (signal.aborted) {
    cut();
    throw passed();
  }
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      cut();
      reject(passed());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A session as the server administrator: reads a user, applies planned changes, drops a user. */
export interface UserSession<User, Change> {
  readUser(name: string): Promise<User | null>;
  apply(name: string, password: string, changes: Change[]): Promise<void>;
  dropUser(name: string): Promise<void>;
  close(): Promise<void>;
  /** Cuts the connection without waiting: a statement in flight fails. */
  abort(): void;
}
